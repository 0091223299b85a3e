"""Validation rules. Each module checks one aspect and returns findings; ``validate`` runs them."""
