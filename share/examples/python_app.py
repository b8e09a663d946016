"""A tiny app instrumented with the OpenTelemetry Python SDK, exporting traces and logs to `trace collect`.

    pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-grpc opentelemetry-exporter-otlp-proto-http
    trace collect &
    python3 share/examples/python_app.py
    trace list

With nothing configured it exports as the SDK does by default: OTLP/gRPC to localhost:4317.
OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf switches to OTLP/HTTP (localhost:4318); the SDK's
other OTEL_* variables apply, e.g. OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_COMPRESSION=gzip.
Its log lines go through Python's `logging`, with the active span's context, so `trace show`
lists each under its span; one is logged outside any span. Prints the trace id it produced.
"""
import logging
import os

if os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc") == "grpc":
    from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
else:
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry._logs import SeverityNumber
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

resource = Resource.create({"service.name": "python-shop", "deployment.environment": "demo"})
provider = TracerProvider(resource=resource)
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
tracer = provider.get_tracer("shop.checkout", "2.1.0")
log_provider = LoggerProvider(resource=resource)
log_provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter()))
log = logging.getLogger("shop")
log.setLevel(logging.INFO)
log.addHandler(LoggingHandler(logger_provider=log_provider))

with tracer.start_as_current_span(
    "POST /checkout",
    kind=SpanKind.SERVER,
    attributes={
        "http.request.method": "POST",
        "http.response.status_code": 200,
        "cart.total": 42.5,
        "cart.express": True,
        "cart.skus": ["sku-1", "sku-2"],
        "cart.quantities": [1, 3],
    },
) as checkout:
    checkout.add_event("cart loaded", {"cart.items": 2})
    log.info("checkout started", extra={"cart.id": "c-981", "cart.items": 2})
    with tracer.start_as_current_span("SELECT cart", kind=SpanKind.CLIENT, attributes={"db.system.name": "sqlite"}):
        pass
    with tracer.start_as_current_span(
        "charge card", kind=SpanKind.CLIENT, links=[Link(checkout.get_span_context(), {"link.reason": "retry of checkout"})]
    ) as charge:
        charge.set_status(Status(StatusCode.ERROR, "card declined"))
        log.error("payment declined: card expired", extra={"payment.provider": "acme"})
    # A structured body, through the Logs API rather than `logging`.
    log_provider.get_logger("shop.audit").emit(
        severity_number=SeverityNumber.WARN, severity_text="WARN", body={"order": "o-17", "flagged": True}, event_name="audit.flag")

log.warning("inventory sync is slow")
provider.shutdown()
log_provider.shutdown()
print(format(checkout.get_span_context().trace_id, "032x"))
