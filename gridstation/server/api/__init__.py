"""The HTTP face of the server: one router per area, the dependencies they share, errors and middleware.

Every refusal is a precise 4xx with a JSON body `{"error": {"code", "message", "detail"}}` (Open311 answers in
its own error format); nothing is stored by a refused request.
"""
