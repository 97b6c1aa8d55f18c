"""Business edge recorder software; arrives with issue 7."""
