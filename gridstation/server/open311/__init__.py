"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the sub-district's cases for third-party apps.

Every resource answers in XML (the spec's required format) and JSON, chosen by the path's suffix
(`services.xml`, `requests/{id}.json`). Reading is public; posting a request needs an api_key, and the request
becomes a 码上就来 work order for the station the key belongs to.

Services are the active leaf categories (the top-level categories are their groups). A service request is a
case; its id is the case number. What is shown is what the public may see: never the complainant's name or
phone. Every refusal is an Open311 error list (`<errors><error><code>…`, or `[{"code", "description"}]`) with
the status the spec asks for: 404 for what does not exist, 403 for a missing or wrong api_key, 400 for the rest.

`router` has the routes, `params` reads their query parameters, `submit` turns a posted request into a work
order, and `formats` shapes and renders every answer.
"""
