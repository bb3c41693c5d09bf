"""InsightPulse MCP coordinator: the platform's Model Context Protocol server."""

__version__ = "0.1.0"
