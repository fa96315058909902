"""Schemathesis hooks for scripts/contract-fuzz.sh (loaded by SCHEMATHESIS_HOOKS).

Schemathesis 3.39 evaluates a link's `$response.body#/...` by parsing the answer as JSON
and stops the run when it is not: UBKI's authorization API answers XML callers in XML,
where a JSON pointer means nothing. Such a body is read as holding no value there, the
way schemathesis reads a pointer that does not resolve.
"""
import schemathesis
from schemathesis.specs.openapi.expressions import nodes

_evaluate = nodes.BodyResponse.evaluate


def _evaluate_json_only(self, context):
    try:
        return _evaluate(self, context)
    except ValueError:  # json.JSONDecodeError and requests' subclass of it
        return None


nodes.BodyResponse.evaluate = _evaluate_json_only


@schemathesis.hook
def map_query(context, query):
    """`GET /__sandbox/requests?wait=` may hold a call up to a minute, as documented; a
    fuzzer's waits are cut to a tenth of a second so the run stays short."""
    if (
        context.operation.path == "/__sandbox/requests"
        and isinstance(query, dict)
        and isinstance(query.get("wait"), (int, float))
        and not isinstance(query.get("wait"), bool)
    ):
        query["wait"] = min(query["wait"], 0.1)
    return query
