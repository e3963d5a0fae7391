# The part of WeasyPrint 70 that motcua uses; WeasyPrint ships no type hints.
from email.message import EmailMessage
from urllib.request import OpenerDirector

class URLFetcherResponse:
    url: str
    status: int
    headers: EmailMessage
    def __init__(
        self,
        url: str,
        body: str | bytes | None = None,
        headers: dict[str, str] | EmailMessage | None = None,
        status: int = 200,
        **kwargs: object,
    ) -> None: ...

class URLFetcher(OpenerDirector):
    def __init__(
        self,
        timeout: float = 10,
        ssl_context: object = None,
        http_headers: dict[str, str] | None = None,
        allowed_protocols: object = None,
        allow_redirects: bool = True,
        fail_on_errors: bool = False,
        **kwargs: object,
    ) -> None: ...
    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse: ...
