"""The rules: one module per family (FAPI1xx ... FAPI9xx); ``registry.RULES`` lists them all."""
