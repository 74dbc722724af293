"""The configured authentication provider (the real code loads it from the plugin registry)."""

from dispatch.plugins.basic_auth import BasicAuthProvider

auth_provider = BasicAuthProvider()
