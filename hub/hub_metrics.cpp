// The hub's own Prometheus metrics (README "Live metrics"): read from its relaxed-atomic counters
// at scrape time, so serving /metrics never waits for the hub thread and the hub thread never
// touches prometheus-cpp.
#include <string>

#include <prometheus/metric_family.h>

#include "hub/hub.hpp"
#include "hub/hub_context.hpp"
#include "metrics/prometheus_exporter.hpp"

namespace fleetsim::hub {
namespace {

using prometheus::MetricFamily;
using prometheus::MetricType;

double read(const std::atomic<std::uint64_t>& counter) {
  return static_cast<double>(counter.load(std::memory_order_relaxed));
}

MetricFamily single(std::string name, std::string help, MetricType type, double value) {
  MetricFamily family = metrics::make_family(std::move(name), std::move(help), type);
  metrics::add_sample(family, {}, value);
  return family;
}

}  // namespace

std::vector<MetricFamily> Hub::metric_families() const {
  const Counters& c = context_->counters;
  std::vector<MetricFamily> families;

  families.push_back(single("fleetsim_hub_connections_open", "Client connections open now (any listener)",
                            MetricType::Gauge, read(c.connections_open)));
  families.push_back(single("fleetsim_hub_connections_total", "Client connections accepted",
                            MetricType::Counter, read(c.connections_accepted)));

  auto connects = metrics::make_family(
      "fleetsim_hub_connects_total", "MQTT CONNECTs answered, by result: accepted or refused (CONNACK != 0)",
      MetricType::Counter);
  metrics::add_sample(connects, {{"result", "accepted"}}, read(c.connects_accepted));
  metrics::add_sample(connects, {{"result", "refused"}}, read(c.connects_refused));
  families.push_back(std::move(connects));

  auto received =
      metrics::make_family("fleetsim_hub_messages_received_total",
                           "PUBLISH packets received from devices and modules, by kind", MetricType::Counter);
  metrics::add_sample(received, {{"kind", "telemetry"}}, read(c.telemetry_received));
  metrics::add_sample(received, {{"kind", "twin_get"}}, read(c.twin_gets));
  metrics::add_sample(received, {{"kind", "reported_patch"}}, read(c.reported_patches));
  families.push_back(std::move(received));

  auto twin =
      metrics::make_family("fleetsim_hub_twin_operations_total",
                           "Twin operations served: get, reported_patch, desired_push", MetricType::Counter);
  metrics::add_sample(twin, {{"op", "get"}}, read(c.twin_gets));
  metrics::add_sample(twin, {{"op", "reported_patch"}}, read(c.reported_patches));
  metrics::add_sample(twin, {{"op", "desired_push"}}, read(c.desired_pushed));
  families.push_back(std::move(twin));

  families.push_back(single("fleetsim_hub_protocol_errors_total",
                            "Connections closed for a malformed or disallowed packet", MetricType::Counter,
                            read(c.protocol_errors)));

  auto closed =
      metrics::make_family("fleetsim_hub_sessions_closed_total",
                           "Sessions the hub closed, by reason: forbidden_topic, keep_alive_expired, "
                           "slow_consumer, sas_expired",
                           MetricType::Counter);
  metrics::add_sample(closed, {{"reason", "forbidden_topic"}}, read(c.forbidden_topics));
  metrics::add_sample(closed, {{"reason", "keep_alive_expired"}}, read(c.keep_alive_expired));
  metrics::add_sample(closed, {{"reason", "slow_consumer"}}, read(c.slow_consumers));
  metrics::add_sample(closed, {{"reason", "sas_expired"}}, read(c.sas_expired));
  families.push_back(std::move(closed));

  families.push_back(single("fleetsim_hub_tls_handshake_failures_total",
                            "TLS handshakes that failed or timed out (the client is dropped)",
                            MetricType::Counter, read(c.tls_handshake_failures)));
  families.push_back(single("fleetsim_hub_websocket_upgrades_total",
                            "WebSocket upgrades accepted (each became an MQTT session)", MetricType::Counter,
                            read(c.websocket_upgrades)));

  auto http =
      metrics::make_family("fleetsim_hub_http_requests_total",
                           "HTTP requests that were not WebSocket upgrades, by result: answered (by the "
                           "service API) or refused (malformed, oversized, timed out, bad upgrade)",
                           MetricType::Counter);
  metrics::add_sample(http, {{"result", "answered"}}, read(c.http_requests));
  metrics::add_sample(http, {{"result", "refused"}}, read(c.http_refused));
  families.push_back(std::move(http));

  auto rest = metrics::make_family("fleetsim_hub_rest_requests_total",
                                   "Service API (REST) requests answered, by HTTP status", MetricType::Counter);
  for (std::size_t i = 0; i < Counters::kRestStatuses.size(); ++i) {
    metrics::add_sample(rest, {{"status", std::to_string(Counters::kRestStatuses[i])}},
                        read(c.rest_by_status[i]));
  }
  metrics::add_sample(rest, {{"status", "other"}}, read(c.rest_by_status.back()));
  families.push_back(std::move(rest));

  auto methods = metrics::make_family(
      "fleetsim_hub_methods_total",
      "Direct method calls, by result: invoked (sent to a device), answered, timed_out (504101), "
      "offline (404103)",
      MetricType::Counter);
  metrics::add_sample(methods, {{"result", "invoked"}}, read(c.methods_invoked));
  metrics::add_sample(methods, {{"result", "answered"}}, read(c.methods_answered));
  metrics::add_sample(methods, {{"result", "timed_out"}}, read(c.methods_timed_out));
  metrics::add_sample(methods, {{"result", "offline"}}, read(c.methods_offline));
  families.push_back(std::move(methods));

  auto c2d = metrics::make_family(
      "fleetsim_hub_c2d_messages_total",
      "Cloud-to-device messages, by state: accepted (queued), delivered (published), completed "
      "(PUBACK), expired, rejected (queue full or too large)",
      MetricType::Counter);
  metrics::add_sample(c2d, {{"state", "accepted"}}, read(c.c2d_accepted));
  metrics::add_sample(c2d, {{"state", "delivered"}}, read(c.c2d_delivered));
  metrics::add_sample(c2d, {{"state", "completed"}}, read(c.c2d_completed));
  metrics::add_sample(c2d, {{"state", "expired"}}, read(c.c2d_expired));
  metrics::add_sample(c2d, {{"state", "rejected"}}, read(c.c2d_rejected));
  families.push_back(std::move(c2d));

  auto throttled = metrics::make_family(
      "fleetsim_hub_throttled_total",
      "Requests the tier's throttles refused or delayed, by kind: rest (429), connect (CONNACK 3), "
      "twin (twin/res/429), telemetry (PUBACK delayed)",
      MetricType::Counter);
  metrics::add_sample(throttled, {{"kind", "rest"}}, read(c.throttled_rest));
  metrics::add_sample(throttled, {{"kind", "connect"}}, read(c.throttled_connects));
  metrics::add_sample(throttled, {{"kind", "twin"}}, read(c.throttled_twin));
  metrics::add_sample(throttled, {{"kind", "telemetry"}}, read(c.throttled_telemetry));
  families.push_back(std::move(throttled));

  families.push_back(single("fleetsim_hub_task_failures_total",
                            "Connection or accept tasks ended by an exception (a hub bug)",
                            MetricType::Counter, read(c.task_failures)));
  return families;
}

}  // namespace fleetsim::hub
