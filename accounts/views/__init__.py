"""HTML views of the accounts app: sign-up and login, profile, organisations."""
