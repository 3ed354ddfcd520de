"""Letters to learning companies: print-ready Dutch HTML rendered from Jinja templates, one document each.

Above the domains, beside `web/`: it reads what the domains store and writes the text; the domains keep
what went out (`erkenning.recognition.dispatch`). `RENDERER` is the `LetterRenderer` the app, the
worker and the CLI give to the services; `remedy` holds the clauses that name the remedy (art. 3:45 Awb).
"""

from erkenning.letters.render import CSP, RENDERER, Letters, body_of, provide_letters

__all__ = ["CSP", "RENDERER", "Letters", "body_of", "provide_letters"]
