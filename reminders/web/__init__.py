"""The web side: public pages, subscription pages and the ASGI app that joins them to feeds."""
