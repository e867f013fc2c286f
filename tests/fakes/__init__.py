"""Fake chat servers (Slack, Discord) for tests: real local servers, real clients."""
