"""GitHub: read a pull request through the REST API, publish the review on it."""
