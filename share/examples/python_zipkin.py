"""Spans from the OpenTelemetry SDK for Python over its Zipkin exporter (v2 JSON) into `trace collect`.

    trace collect --zipkin-port 9411 &
    python3 share/examples/python_zipkin.py
    trace show <the printed id>

A checkout served by "python-zipkin": a server span with a client call under it that records an
event with attributes and fails. The exporter sends to OTEL_EXPORTER_ZIPKIN_ENDPOINT (by default
http://localhost:9411/api/v2/spans); the id of the trace is printed.
"""
from opentelemetry import trace
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

provider = TracerProvider(resource=Resource.create({"service.name": "python-zipkin"}))
provider.add_span_processor(SimpleSpanProcessor(ZipkinExporter()))
tracer = provider.get_tracer("shop.zipkin", "1.0")

with tracer.start_as_current_span("GET /checkout", kind=SpanKind.SERVER, attributes={"http.route": "/checkout"}) as root:
    with tracer.start_as_current_span("charge card", kind=SpanKind.CLIENT, attributes={"peer.service": "payments", "attempts": 2}) as call:
        call.add_event("card declined", {"code": "51", "retryable": False})
        call.set_status(Status(StatusCode.ERROR, "card declined"))
    print(format(root.get_span_context().trace_id, "032x"))

provider.shutdown()
