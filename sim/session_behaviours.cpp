// A session's behaviours when its deadline fires: request timeouts, keep-alive, telemetry on its
// intended schedule and observed reported properties (one PATCH per instant).
#include <algorithm>

#include "sim/session.hpp"
#include "sim/session_host.hpp"

namespace fleetsim::sim {
namespace {

std::uint64_t latency_ns(Duration from, Duration to) {
  return static_cast<std::uint64_t>(std::max(Duration{0}, to - from).count());
}

}  // namespace

void Session::run_due(Duration now) {
  expire_requests(now);
  switch (client_.check_keep_alive(now)) {
    case mqtt::KeepAliveAction::none:
      break;
    case mqtt::KeepAliveAction::send_pingreq:
      // Counted as sent even when the socket refused it: a connection that cannot take two bytes
      // gets no answer either and ends as silent, instead of asking again at once.
      send(mqtt::Packet{mqtt::Pingreq{}});
      client_.on_pingreq_sent(now);
      break;
    case mqtt::KeepAliveAction::server_silent:
      end_connection(EndReason::server_silent);
      return;
  }
  if (phase_ == Phase::getting_twin && retry_get_at_ <= now) send_twin_get(now);
  send_due_method_responses(now);
  if (telemetry_active()) send_due_telemetry(now);
  if (phase_ == Phase::ready) send_due_reported(now);
  finish_if_drained();
  finish_renewal_if_idle(now);
}

void Session::expire_requests(Duration now) {
  auto& metrics = host_->metrics();
  const Duration cutoff = now - kRequestTimeout;
  client_.expire_inflight(cutoff + Duration{1}, [&](const mqtt::InflightEntry& e) {
    metrics.record(inflight_op(e.tag), metrics::Outcome::timeout, 0);
    metrics.error(metrics::ErrorKind::timeout);
  });
  bool get_timed_out = false;
  twin_.expire(cutoff + Duration{1}, [&](const TwinRequests::Entry& e) {
    metrics.record(e.op, metrics::Outcome::timeout, 0);
    metrics.error(metrics::ErrorKind::timeout);
    get_timed_out = get_timed_out || e.op == metrics::Op::twin_get;
  });
  if (get_timed_out && phase_ == Phase::getting_twin) retry_get_at_ = now;
  expire_service(now);
}

void Session::send_due_telemetry(Duration now) {
  const Scenario& s = host_->scenario();
  for (TelemetrySchedule& schedule : host_->telemetry(slices_)) {
    const Telemetry& spec = s.telemetry[schedule.stream()];
    while (schedule.next() <= now) {
      send_telemetry(schedule.stream(), schedule.next(), now);
      schedule.advance(spec);
    }
  }
}

void Session::send_telemetry(std::uint32_t stream, Duration intended, Duration now) {
  const Scenario& s = host_->scenario();
  const Telemetry& spec = s.telemetry[stream];
  auto& metrics = host_->metrics();
  HostScratch& scratch = host_->scratch();

  mqtt::Publish publish;
  publish.qos = spec.qos == 1 ? 1 : 0;
  if (publish.qos == 1) {
    const auto id = client_.begin_publish(stream, intended);
    if (!id) {
      count_failure_to_send(metrics::Op::telemetry);
      return;
    }
    publish.packet_id = *id;
  } else if (connection_.has_unwritten() && qos0_pending_count_ >= kMaxQos0Pending) {
    count_failure_to_send(metrics::Op::telemetry);
    return;
  }

  scratch.topic.clear();
  if (mqtt_target()) {
    append_mqtt_topic(scratch.topic, kTelemetryStream);
    publish.properties = host_->plan().telemetry[stream].user_properties;  // MQTT 5 only
  } else {
    scratch.id.clear();
    append_device_id(scratch.id, s.fleet.id, device_index_);
    iothub::append_telemetry_topic(scratch.topic, scratch.id, module_id(s, module_slot_),
                                   host_->plan().telemetry[stream].bag);
  }
  scratch.payload.clear();
  append_telemetry_payload(scratch.payload, spec, host_->values(slices_), since_open(intended));
  const std::uint64_t e2e_hash = e2e_ ? stamp_e2e(scratch.payload, !spec.payload) : 0;
  publish.topic = scratch.topic;
  publish.payload = mqtt::as_bytes(scratch.payload);

  const mqtt::SendStatus status = send(mqtt::Packet{publish});
  switch (status) {
    case mqtt::SendStatus::written:
      if (publish.qos == 0)
        metrics.record(metrics::Op::telemetry, metrics::Outcome::ok, latency_ns(intended, now));
      break;
    case mqtt::SendStatus::queued:
      if (publish.qos == 0) qos0_pending_[qos0_pending_count_++] = intended;
      break;
    case mqtt::SendStatus::refused:
    case mqtt::SendStatus::failed:
      if (publish.qos == 1) client_.on_puback(mqtt::Puback{publish.packet_id});  // release the slot
      count_failure_to_send(metrics::Op::telemetry);
      return;
  }
  metrics.messages_sent.add();
  metrics.bytes_sent.add(scratch.payload.size());
  if (e2e_) on_e2e_sent(e2e_hash, intended, now);
}

void Session::open_reported(Duration t0) {
  auto states = host_->reported(slices_);
  if (states.empty()) return;
  HostScratch& scratch = host_->scratch();
  scratch.patch_items.clear();
  const Duration at = since_open(t0);
  for (ReportedState& r : states) {
    r.observer.open(at, r.generator.next(at));
    scratch.patch_items.push_back(
        PathValue{host_->plan().reported[r.property].spec->path, &r.observer.current()});
  }
  scratch.payload.clear();
  append_reported_patch(scratch.payload, scratch.patch_items);
  send_reported_patch(scratch.payload, host_->now());
}

void Session::send_due_reported(Duration now) {
  auto states = host_->reported(slices_);
  HostScratch& scratch = host_->scratch();
  auto& due = scratch.due_reported;
  due.clear();
  const Duration t = since_open(now);
  for (std::uint32_t i = 0; i < states.size(); ++i) {
    ReportedState& r = states[i];
    if (r.observer.next_deadline() > t) continue;
    const auto notify_at =
        r.observer.advance(t, [&r](Duration sample_at) { return r.generator.next(sample_at); });
    if (notify_at) due.emplace_back(*notify_at, i);
  }
  // Properties due at the same instant share one PATCH (reference 7.2); compare instants exactly.
  std::sort(due.begin(), due.end());
  for (std::size_t first = 0; first < due.size();) {
    std::size_t last = first;
    scratch.patch_items.clear();
    for (; last < due.size() && due[last].first == due[first].first; ++last) {
      ReportedState& r = states[due[last].second];
      scratch.patch_items.push_back(
          PathValue{host_->plan().reported[r.property].spec->path, &r.observer.current()});
    }
    scratch.payload.clear();
    append_reported_patch(scratch.payload, scratch.patch_items);
    // Timers restart at the notification whatever the answer (reference 7.2).
    for (std::size_t i = first; i < last; ++i) states[due[i].second].observer.notified(due[i].first);
    send_reported_patch(scratch.payload, now);
    first = last;
  }
}

}  // namespace fleetsim::sim
