"""Output channels (HTTP API, MCP server): they read the person's data only through the gate."""
