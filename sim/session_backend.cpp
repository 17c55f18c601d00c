// A session's side of the backend actions: answering direct methods ([methods]: status, payload
// size, delay), receiving C2D messages and timing them, and matching the backend's desired PATCHes
// with the notifications and acknowledgements they cause (sim/desired_probe.hpp).
#include <algorithm>
#include <charconv>

#include "sim/backend_requests.hpp"
#include "sim/session.hpp"
#include "sim/session_host.hpp"

namespace fleetsim::sim {
namespace {

auto recorder(metrics::ThreadMetrics& metrics) {
  return [&metrics](metrics::Op op, metrics::Outcome outcome, std::uint64_t latency_ns) {
    metrics.record(op, outcome, latency_ns);
    if (outcome == metrics::Outcome::timeout) metrics.error(metrics::ErrorKind::timeout);
  };
}

}  // namespace

SessionServiceState& Session::service_state() {
  if (!service_) service_ = std::make_unique<SessionServiceState>(host_->plan().ack != AckMode::none);
  return *service_;
}

bool Session::subscribe_service_topics() {
  if (methods_subscriber_ && !subscribe(kMethodsSubscription, iothub::method_request_filter)) return false;
  if (c2d_subscriber_) {
    std::string& filter = host_->scratch().topic;
    filter.clear();
    std::string& device = host_->scratch().id;
    device.clear();
    append_device_id(device, host_->scenario().fleet.id, device_index_);
    iothub::append_c2d_filter(filter, device);
    // QoS 1, as IoT Hub grants it: a message is settled by its PUBACK (reference 2.7).
    if (!subscribe_with_qos(kC2dSubscription, filter, 1)) return false;
  }
  return true;
}

void Session::on_method_request(const iothub::ParsedTopic& topic, Duration now) {
  // Answered in every connected phase, draining and renewing included: an answer is no new
  // operation, and the caller is waiting for it.
  if (!methods_subscriber_ || topic.rid.empty()) return;
  const Duration delay = host_->scenario().methods.delay;
  if (delay.count() <= 0) {
    send_method_response(topic.rid);
    return;
  }
  SessionServiceState& state = service_state();
  // Beyond the bound the call goes unanswered: the caller's `method` times out, counted there.
  if (state.methods.size() >= kMaxPendingMethods) return;
  state.methods.push_back({std::string(topic.rid), now + delay});
}

void Session::send_method_response(std::string_view rid) {
  const Methods& spec = host_->scenario().methods;
  HostScratch& scratch = host_->scratch();
  scratch.topic.clear();
  iothub::append_method_response_topic(scratch.topic, spec.status, rid);
  scratch.payload.clear();
  append_json_payload(scratch.payload, spec.payload_size);
  mqtt::Publish publish;
  publish.topic = scratch.topic;
  publish.payload = mqtt::as_bytes(scratch.payload);
  const mqtt::SendStatus status = send(mqtt::Packet{publish});
  // An answer that cannot go out is the caller's `method` timeout (or error), counted once, where
  // the operation is measured; not inflight_full, which the in-flight gauge reads as a message.
  if (status == mqtt::SendStatus::refused || status == mqtt::SendStatus::failed) return;
  host_->metrics().messages_sent.add();
  host_->metrics().answers_sent.add();
  host_->metrics().bytes_sent.add(scratch.payload.size());
}

void Session::send_due_method_responses(Duration now) {
  if (!service_ || service_->methods.empty()) return;
  auto& pending = service_->methods;
  // Answered in the order they fall due; the list is short (kMaxPendingMethods).
  std::stable_sort(pending.begin(), pending.end(),
                   [](const auto& a, const auto& b) { return a.due < b.due; });
  std::size_t sent = 0;
  for (; sent < pending.size() && pending[sent].due <= now; ++sent) send_method_response(pending[sent].rid);
  pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(sent));
}

void Session::on_c2d(const iothub::ParsedTopic& topic, Duration now) {
  if (!c2d_subscriber_) return;
  // The PUBACK went out with the PUBLISH (session_connection.cpp); the latency needs no lookup.
  const auto sent = c2d_sent_time(topic.bag);
  if (!sent) return;  // not one of this run's messages
  // A redelivery (DUP, after a reconnect) of a message this session had already: counted once.
  if (!service_state().c2d_seen.first_arrival(c2d_message_number(topic.bag))) return;
  host_->counters().c2d.on_received(*sent);
  host_->metrics().record(metrics::Op::c2d, metrics::Outcome::ok,
                          static_cast<std::uint64_t>(std::max(Duration{0}, now - *sent).count()));
}

void Session::note_desired_received(std::uint64_t version, Duration now) {
  if (host_->backend_desired()) service_state().desired.on_received(version, now, recorder(host_->metrics()));
}

void Session::note_ack_sent(std::uint64_t version, std::uint32_t rid, Duration now) {
  if (rid != 0 && host_->backend_desired()) {
    service_state().desired.on_ack_sent(version, rid, now, recorder(host_->metrics()));
  }
}

void Session::note_ack_answered(std::uint32_t rid, int status, Duration now) {
  if (!service_) return;
  const metrics::Outcome outcome = status / 100 == 2 ? metrics::Outcome::ok
                                   : status == 429   ? metrics::Outcome::throttled
                                                     : metrics::Outcome::error;
  service_->desired.on_ack_answered(rid, outcome, now, recorder(host_->metrics()));
}

void Session::expect_desired(std::uint64_t version, Duration sent, Duration now) {
  service_state().desired.on_expected(version, sent, now, recorder(host_->metrics()));
  if (phase_ == Phase::closed || phase_ == Phase::failed) {
    // Nothing more can arrive: what the version still waits for has timed out.
    expire_service(Duration::max());
    return;
  }
  // A draining session that waited only for this closes now.
  finish_if_drained();
  if (!finished()) rearm();
}

void Session::expire_service(Duration now) {
  if (service_) service_->desired.expire(now, recorder(host_->metrics()));
}

bool Session::service_idle() const noexcept {
  return !service_ || (service_->methods.empty() && !service_->desired.expecting());
}

Duration Session::next_service_deadline() const noexcept {
  if (!service_) return Duration::max();
  Duration next = service_->desired.next_expiry().value_or(Duration::max());
  for (const auto& m : service_->methods) next = std::min(next, m.due);
  return next;
}

}  // namespace fleetsim::sim
