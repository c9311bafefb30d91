"""Live delivery: each session's committed events pushed to its open pages as Server-Sent Events.

sse.py frames messages; publish.py announces committed writes (focus.events LISTENERS); hub.py is the
per-process hub (one subscription, fanned out to the process's streams); api.py is the endpoint,
``GET /focus/sessions/{id}/stream``. docs/architecture.md "Live delivery" says why it is built so.
"""
