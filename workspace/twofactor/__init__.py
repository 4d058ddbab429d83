"""Two-factor sign-in (TOTP): its tables and rules (secrets, recovery codes, pending
sign-ins, the secretariat requirement). The pages are in `workspace/accounts/`
(`two_factor.py`, and the challenge in `routes.py`); this package imports no runtime, so
the middleware and the live server can ask it who must still set up (docs/security.md)."""
