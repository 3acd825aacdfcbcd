"""What every app's ninja router shares: errors, pagination, parameters, field types,
token scopes and the role-and-scope check. It lives in core so that an app's api.py
imports down, never up into the router hub (halte.api)."""
