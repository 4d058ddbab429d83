"""Two-factor sign-in (TOTP): set-up on the account pages, the sign-in challenge,
recovery codes, and the requirement for secretariat accounts (docs/security.md)."""
