def counter_location(request):
    """The location a counter page serves (set by `counter_view`), for the header."""
    return {"counter_location": getattr(request, "counter_location", None)}
