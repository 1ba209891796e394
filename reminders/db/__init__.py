"""Database access: models, engine, and the queries the service runs."""
