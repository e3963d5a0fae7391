"""/api/v1: the API for integrating systems (issue 12), django-ninja, OpenAPI 3 at
/api/v1/openapi.json (docs/integration.md).

Clients (`ApiClient`) hold a key (`Authorization: Bearer <key>`, stored as a prefix and a hash),
operations (`dossiers.read`, `dossiers.submit`, `catalog.read`, `national.submit`) and agencies in
scope, and a per-minute limit. Every call, refusals included, is recorded in a keyed hash chain
(`motcua.api.chain`); every error has the one structured shape of `motcua.edge.problem_body`.

Adding a router from another app (the same key, scopes, idempotency, errors and record):

1. write `motcua/<app>/api_routes.py` with a module-level `router = ninja.Router(tags=[...])`;
   `motcua/api/urls.py` mounts every installed motcua app's `api_routes.router` at /api/v1/
   (the router's paths are full paths under it, e.g. `@router.get("/national/outbox")`);
2. in each route, first `caller = allow(request, "<operation>")` (or `allow(request, op,
   agency=code)` where it acts at an agency) from `motcua.api.framework`; a new operation goes
   into `motcua.core.apiclients.OPERATIONS`;
3. a create wraps its work in `create_once(request, caller, lambda: (201, body))`, which requires
   the Idempotency-Key header and replays the stored answer;
4. raise `DomainError`s (they become the structured error with `status_for`'s status), and
   declare `response={200: Out, ERRORS: Problem}` so that the OpenAPI document says so.
"""
