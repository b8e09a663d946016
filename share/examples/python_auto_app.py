"""An app with no OpenTelemetry setup of its own, as people run one under Python's auto-instrumentation.

    pip install opentelemetry-distro opentelemetry-exporter-otlp opentelemetry-instrumentation-logging
    trace collect &
    OTEL_SERVICE_NAME=inventory opentelemetry-instrument python3 share/examples/python_auto_app.py
    trace show <the trace id it prints>

`opentelemetry-instrument` sets up the SDK (traces, metrics and logs over OTLP/gRPC to localhost:4317 by default) and sends the
`logging` module's records with the active span's context, so both log lines below appear under
their spans. Prints the trace id.
"""
import logging

from opentelemetry import trace

log = logging.getLogger("inventory")
tracer = trace.get_tracer("inventory.app")

with tracer.start_as_current_span("reserve stock") as reserve:
    reserve.set_attribute("sku", "sku-7")
    log.warning("stock low for sku-7", extra={"stock.left": 2})
    with tracer.start_as_current_span("SELECT stock"):
        log.error("reservation failed: lock timeout")

print(format(reserve.get_span_context().trace_id, "032x"))
