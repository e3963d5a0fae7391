# The part of WeasyPrint 70 that motcua uses; WeasyPrint ships no type hints.
from weasyprint.urls import URLFetcher

class HTML:
    def __init__(
        self,
        guess: object = None,
        filename: str | None = None,
        url: str | None = None,
        file_obj: object = None,
        string: str | None = None,
        encoding: str | None = None,
        base_url: str | None = None,
        url_fetcher: URLFetcher | None = None,
        media_type: str = "print",
    ) -> None: ...
    # With no target the PDF is returned (with one, written there and None returned).
    def write_pdf(self, target: None = None, zoom: float = 1, **options: object) -> bytes: ...
