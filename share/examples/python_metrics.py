"""Metrics from the OpenTelemetry SDK for Python into `trace collect`.

    trace collect &
    OTEL_EXPORTER_OTLP_PROTOCOL=grpc python3 share/examples/python_metrics.py
    trace metrics

Records a counter, an up-down counter, a histogram (its exemplars carry the trace they were
measured in), a histogram with exponential buckets, and an observable gauge, exports them once
at shutdown over OTEL_EXPORTER_OTLP_PROTOCOL (grpc or http/protobuf) to OTEL_EXPORTER_OTLP_ENDPOINT,
and prints the id of the trace the measurements were made in.
"""
import os

from opentelemetry import metrics, trace
from opentelemetry.metrics import Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

if os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc") == "grpc":
    from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
else:
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

resource = Resource.create({"service.name": "python-shop"})
# Spans are sampled (so measurements inside them keep exemplars) but not exported here.
trace.set_tracer_provider(TracerProvider(resource=resource))
reader = PeriodicExportingMetricReader(OTLPMetricExporter(), export_interval_millis=3_600_000)
provider = MeterProvider(resource=resource, metric_readers=[reader],
                         views=[View(instrument_name="shop.payload.size", aggregation=ExponentialBucketHistogramAggregation())])
metrics.set_meter_provider(provider)
meter = metrics.get_meter("shop.metrics", "3.0")

orders = meter.create_counter("shop.orders", unit="{order}", description="orders placed")
inflight = meter.create_up_down_counter("shop.inflight", unit="{request}", description="requests in progress")
duration = meter.create_histogram("shop.checkout.duration", unit="s", description="checkout time")
payload = meter.create_histogram("shop.payload.size", unit="By")
meter.create_observable_gauge("shop.queue.depth", callbacks=[lambda options: [Observation(7.5, {"queue": "email"})]])

with trace.get_tracer("shop").start_as_current_span("checkout") as span:
    orders.add(3, {"payment": "card"})
    orders.add(2, {"payment": "cash"})
    inflight.add(5)
    inflight.add(-2)
    duration.record(0.25, {"http.route": "/checkout"})
    duration.record(7.5, {"http.route": "/checkout"})
    for size in (100, 200, 4000):
        payload.record(size)
    print(format(span.get_span_context().trace_id, "032x"))

provider.shutdown()
