"""Code the desk and the server share that is neither domain logic nor the sync protocol (the server may import
only `domain`, `protocol` and `common`)."""
