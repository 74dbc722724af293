"""The LLM pass: Claude reviews the constructs of a change against the checklist entries that need
judgement (the rules whose ``engine`` is ``llm``). See ``docs/llm.md``.

``provider`` decides whether the pass runs and where it sends; ``review`` plans and runs it;
``checklist`` says which entries apply to a construct; ``context`` finds the constructs, their
context and the chunks; ``prompt`` builds the requests (after ``redact``); ``schema`` validates the
answers; ``client`` is the only module importing ``anthropic``; ``usage`` adds up tokens and cost;
``tokens`` estimates sizes offline.
"""
