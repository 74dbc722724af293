class MfaException(Exception):
    """The MFA challenge failed: expired, invalid or denied."""
