// A session's traffic with the mqtt target (target.kind = "mqtt", sim/mqtt_target.hpp): CONNECT
// with the broker's credentials, the subscriptions to its own desired (and, sampled, telemetry)
// topics, reported properties published as JSON, desired patches received, and the e2e probe.
// The connection itself (transports, keep-alive, reconnection) is the same for every target.
#include <algorithm>

#include "sim/session.hpp"
#include "sim/session_host.hpp"

namespace fleetsim::sim {
namespace {

std::uint64_t latency_ns(Duration from, Duration to) {
  return static_cast<std::uint64_t>(std::max(Duration{0}, to - from).count());
}

}  // namespace

bool Session::mqtt_target() const noexcept {
  return host_->plan().mqtt.enabled;
}

void Session::append_mqtt_topic(std::string& out, std::string_view stream) {
  const Scenario& s = host_->scenario();
  std::string& device = host_->scratch().id;
  device.clear();
  append_device_id(device, s.fleet.id, device_index_);
  host_->plan().mqtt.topic.append(out, device, module_id(s, module_slot_), stream);
}

bool Session::send_connect_mqtt() {
  const Scenario& s = host_->scenario();
  const MqttTargetPlan& target = host_->plan().mqtt;
  // The same identities as on IoT Hub: "{device}" or "{device}/{module}".
  std::string client_id = device_id(s, device_index_);
  if (const std::string_view module = module_id(s, module_slot_); !module.empty()) {
    client_id.append("/").append(module);
  }
  connection_.set_protocol_version(target.version);

  mqtt::Connect connect;
  connect.protocol_level = static_cast<std::uint8_t>(target.version);
  // A load test leaves nothing behind in the broker: no session state outlives a connection
  // (MQTT 5: Clean Start with the default Session Expiry Interval 0).
  connect.clean_session = true;
  connect.keep_alive_s = static_cast<std::uint16_t>(std::min<std::int64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(s.fleet.keep_alive).count(), 0xFFFF));
  connect.client_id = client_id;
  if (s.target.username) connect.username = *s.target.username;
  if (s.target.password) connect.password = mqtt::as_bytes(*s.target.password);
  connect.properties = target.connect_properties;
  const mqtt::SendStatus status = send(mqtt::Packet{connect});
  if (status == mqtt::SendStatus::refused || status == mqtt::SendStatus::failed) return false;
  client_.on_connect_sent(host_->now());
  return true;
}

bool Session::subscribe_mqtt() {
  const Scenario& s = host_->scenario();
  // The highest QoS of this session's telemetry: its deliveries come back at that QoS.
  int telemetry_qos = -1;
  for (const TelemetrySchedule& t : host_->telemetry(slices_)) {
    telemetry_qos = std::max(telemetry_qos, s.telemetry[t.stream()].qos);
  }
  if (!e2e_ && telemetry_qos >= 0 &&
      samples_e2e(s, global_session_index(s, SessionId{device_index_, module_slot_}))) {
    e2e_ = std::make_unique<E2eProbe>();
  }
  if (e2e_) e2e_->clear();

  std::string& topic = host_->scratch().topic;
  if (desired_subscriber_) {
    topic.clear();
    append_mqtt_topic(topic, kDesiredStream);
    // QoS 1: a configuration change should not be lost on the way.
    if (!subscribe_with_qos(kDesiredSubscription, topic, 1)) return false;
  }
  if (e2e_) {
    topic.clear();
    append_mqtt_topic(topic, kTelemetryStream);
    if (!subscribe_with_qos(kE2eSubscription, topic, static_cast<std::uint8_t>(telemetry_qos))) return false;
  }
  if (client_.pending_subscribes() == 0) on_subscribed_mqtt();
  return true;
}

bool Session::subscribe_with_qos(std::uint32_t tag, std::string_view filter, std::uint8_t qos) {
  const auto id = client_.begin_subscribe(tag, 1);
  const mqtt::Subscription subscription{filter, qos};
  if (id && send(mqtt::Packet{mqtt::Subscribe{*id, {&subscription, 1}, {}}}) != mqtt::SendStatus::refused) {
    return true;
  }
  pending_end_ = EndReason::protocol_error;
  return false;
}

void Session::on_subscribed_mqtt() {
  // No twin to read: the session is ready once its subscriptions are, and its reported
  // properties open from the intended time of this connection attempt, as after a twin GET.
  phase_ = Phase::ready;
  open_reported(attempt_at_);
}

bool Session::on_publish_mqtt(const mqtt::Publish& publish) {
  // Topic aliases were never allowed (no Topic Alias Maximum in CONNECT means 0, MQTT 5.0
  // 3.1.2.11.5): a PUBLISH naming none of its topic is a protocol error.
  if (publish.topic.empty()) {
    pending_end_ = EndReason::protocol_error;
    return false;
  }
  const Duration now = host_->now();
  std::string& topic = host_->scratch().topic;
  if (e2e_) {
    topic.clear();
    append_mqtt_topic(topic, kTelemetryStream);
    if (publish.topic == topic) {
      on_e2e_delivery(publish.payload, now);
      return true;
    }
  }
  if (desired_subscriber_) {
    topic.clear();
    append_mqtt_topic(topic, kDesiredStream);
    if (publish.topic == topic) on_desired_mqtt(publish.payload, now);
  }
  return true;  // a stray message (a broker may route others' retained messages) is not ours to judge
}

void Session::on_desired_mqtt(mqtt::Bytes body, Duration now) {
  if (phase_ != Phase::ready && phase_ != Phase::subscribing) return;  // no new operations
  // Plain topics carry no $version: a patch's own "$version" counts when it has one, otherwise
  // each patch is the next version.
  const auto patch = parse_desired_notification(mqtt::as_string(body), desired_version_ + 1);
  if (!patch || patch->version <= desired_version_) return;
  desired_version_ = patch->version;
  acknowledge(*patch, now);
}

bool Session::send_reported_mqtt(std::string_view body, Duration now) {
  // QoS 1, measured from this publish to its PUBACK (the broker accepted the patch).
  const auto id = client_.begin_publish(kReportedTag, now);
  if (!id) {
    count_failure_to_send(metrics::Op::reported_patch);
    return false;
  }
  std::string& topic = host_->scratch().topic;
  topic.clear();
  append_mqtt_topic(topic, kReportedStream);
  mqtt::Publish publish;
  publish.qos = 1;
  publish.packet_id = *id;
  publish.topic = topic;
  publish.payload = mqtt::as_bytes(body);
  const mqtt::SendStatus status = send(mqtt::Packet{publish});
  if (status == mqtt::SendStatus::refused || status == mqtt::SendStatus::failed) {
    client_.on_puback(mqtt::Puback{*id});  // release the slot
    count_failure_to_send(metrics::Op::reported_patch);
    return false;
  }
  host_->metrics().messages_sent.add();
  host_->metrics().bytes_sent.add(body.size());
  return true;
}

std::uint64_t Session::stamp_e2e(std::string& payload, bool generated) {
  // Generated filler is the same in every message: a sequence number makes each one its own.
  if (generated) stamp_sequence(payload, 0, e2e_->next_sequence());
  return payload_hash(mqtt::as_bytes(payload));
}

void Session::on_e2e_sent(std::uint64_t hash, Duration intended, Duration now) {
  expire_e2e(now);
  if (e2e_->on_sent(hash, intended)) {
    // Sixteen messages later it has still not come back.
    host_->metrics().record(metrics::Op::e2e, metrics::Outcome::timeout, 0);
    host_->metrics().error(metrics::ErrorKind::timeout);
  }
}

void Session::on_e2e_delivery(mqtt::Bytes payload, Duration now) {
  expire_e2e(now);
  if (const auto intended = e2e_->on_delivered(payload_hash(payload))) {
    host_->metrics().record(metrics::Op::e2e, metrics::Outcome::ok, latency_ns(*intended, now));
  }
}

void Session::expire_e2e(Duration now) {
  auto& metrics = host_->metrics();
  for (std::size_t n = e2e_->expire(now - kRequestTimeout); n > 0; --n) {
    metrics.record(metrics::Op::e2e, metrics::Outcome::timeout, 0);
    metrics.error(metrics::ErrorKind::timeout);
  }
}

}  // namespace fleetsim::sim
