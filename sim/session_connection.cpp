// A session's connection: the coroutine of one attempt, the MQTT packets it receives, and the
// one place that decides what an ended connection means.
#include <chrono>
#include <exception>
#include <optional>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sim/session.hpp"
#include "sim/session_host.hpp"
#include "transports/iothub/sas.hpp"

namespace fleetsim::sim {
namespace {

constexpr std::string_view kApiVersion = "/?api-version=2021-04-12";

}  // namespace

void Session::start_connection(Duration intended) {
  attempt_at_ = intended;
  connect_started_ = host_->now();
  phase_ = Phase::connecting;
  live_ = true;
  ++attempt_;
  boost::asio::co_spawn(host_->io(), connection_task(attempt_),
                        [this, attempt = attempt_](std::exception_ptr e) {
                          // Routine failures are values; an exception here is a bug or memory exhaustion.
                          // Count it as a transport failure of this connection rather than ending the
                          // process.
                          if (e && live_ && attempt == attempt_) end_connection(EndReason::transport_error);
                        });
}

boost::asio::awaitable<void> Session::connection_task(std::uint32_t attempt) {
  const auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
  // Someone else (drain, timeout, keep-alive) may end the attempt while this waits; it then
  // closes the socket and this returns without touching the session.
  auto ended_elsewhere = [this, attempt] { return !live_ || attempt != attempt_; };

  auto [connect_ec] = co_await connection_.stream().socket().async_connect(host_->target(), token);
  if (ended_elsewhere()) co_return;
  if (connect_ec) {
    note_connect_failure("TCP connect", connect_ec.message());
    end_connection(EndReason::connect_failed);
    co_return;
  }
  if (!co_await handshake(attempt)) co_return;  // failed (and ended) or ended elsewhere
  if (!send_connect()) {
    note_connect_failure("CONNECT", "the packet could not be written");
    end_connection(EndReason::connect_failed);
    co_return;
  }
  for (;;) {
    auto [wait_ec] = co_await connection_.stream().async_wait(boost::asio::socket_base::wait_read, token);
    if (ended_elsewhere()) co_return;
    if (wait_ec) {
      end_connection(EndReason::transport_error);
      co_return;
    }
    const mqtt::ReadOutcome out =
        connection_.read_available(host_->buffers(), [this](const mqtt::Packet& p) { return on_packet(p); });
    switch (out.status) {
      case mqtt::ReadOutcome::Status::ok:
        rearm();
        continue;
      case mqtt::ReadOutcome::Status::stopped:
        end_connection(pending_end_);
        co_return;
      case mqtt::ReadOutcome::Status::closed:
        end_connection(EndReason::peer_closed);
        co_return;
      case mqtt::ReadOutcome::Status::failed:
        end_connection(EndReason::transport_error);
        co_return;
      case mqtt::ReadOutcome::Status::malformed:
        end_connection(EndReason::protocol_error);
        co_return;
    }
  }
}

std::string Session::session_key(std::string_view device, std::string_view module) const {
  // The registry's keys (iothub target) are indexed like shard_session(): the shard's devices
  // in order, each followed by its modules.
  const std::vector<std::string>* keys = host_->connect_target().identity_keys;
  if (keys == nullptr || keys->empty()) return identity_key(host_->scenario(), device, module);
  const FleetPlan& plan = host_->plan();
  const std::uint64_t k = device_index_ / plan.shard_count * (1 + host_->scenario().fleet.modules.size()) +
                          module_slot_;
  return (*keys)[k];
}

bool Session::send_connect() {
  if (mqtt_target()) return send_connect_mqtt();
  const Scenario& s = host_->scenario();
  const std::string device = device_id(s, device_index_);
  const std::string_view module = module_id(s, module_slot_);
  std::string client_id = device;
  std::string username = host_->host_name() + '/' + device;
  if (!module.empty()) {
    client_id.append("/").append(module);
    username.append("/").append(module);
  }
  username += kApiVersion;
  // X.509 identities authenticated in the TLS handshake and send no password (reference 1.6).
  std::optional<std::string> token;
  if (host_->connect_target().identities == nullptr) {
    const SasExpiry expiry = sas_expiry(s.fleet.sas_ttl);
    token = iothub::make_sas_token(iothub::resource_uri(host_->host_name(), device, module),
                                   session_key(device, module), expiry.unix_s);
    if (!token) return false;
    renew_at_ = host_->now() + expiry.remaining - sas_renewal_margin(s.fleet.sas_ttl);
  }

  mqtt::Connect connect;
  connect.clean_session = false;  // as the SDKs do (reference 2.2)
  connect.keep_alive_s = static_cast<std::uint16_t>(std::min<std::int64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(s.fleet.keep_alive).count(), 0xFFFF));
  connect.client_id = client_id;
  connect.username = username;
  if (token) connect.password = mqtt::as_bytes(*token);
  const mqtt::SendStatus status = send(mqtt::Packet{connect});
  if (status == mqtt::SendStatus::refused || status == mqtt::SendStatus::failed) return false;
  client_.on_connect_sent(host_->now());
  return true;
}

mqtt::SendStatus Session::send(const mqtt::Packet& packet) {
  const mqtt::SendStatus status = connection_.send(packet, host_->buffers());
  switch (status) {
    case mqtt::SendStatus::written:
      client_.on_packet_sent(host_->now());
      break;
    case mqtt::SendStatus::queued:
      client_.on_packet_sent(host_->now());
      if (!connection_.flushing()) {
        connection_.async_flush([this](const boost::system::error_code& ec) { on_flushed(ec); });
      }
      break;
    case mqtt::SendStatus::refused:
      break;
    case mqtt::SendStatus::failed: {
      // Wake the reader with end-of-stream: the connection ends there, in one place.
      boost::system::error_code ignored;
      connection_.stream().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
      break;
    }
  }
  return status;
}

void Session::on_flushed(const boost::system::error_code& ec) {
  if (ec) return;  // closed or broken: the connection's end counts what was pending
  // QoS 0 telemetry completes when its bytes are written (DESIGN "What is measured").
  const Duration now = host_->now();
  auto& metrics = host_->metrics();
  for (std::size_t i = 0; i < qos0_pending_count_; ++i) {
    metrics.record(metrics::Op::telemetry, metrics::Outcome::ok,
                   static_cast<std::uint64_t>((now - qos0_pending_[i]).count()));
  }
  qos0_pending_count_ = 0;
  finish_if_drained();
  finish_renewal_if_idle(now);
}

bool Session::on_packet(const mqtt::Packet& packet) {
  client_.on_packet_received();
  bool keep = true;
  if (const auto* p = std::get_if<mqtt::Publish>(&packet)) {
    keep = on_publish(*p);
  } else if (const auto* a = std::get_if<mqtt::Puback>(&packet)) {
    on_puback(*a);
  } else if (const auto* c = std::get_if<mqtt::Connack>(&packet)) {
    keep = on_connack(*c);
  } else if (const auto* s = std::get_if<mqtt::Suback>(&packet)) {
    keep = on_suback(*s);
  } else if (!std::holds_alternative<mqtt::Pingresp>(packet)) {
    // A server sends nothing else to a QoS 0/1 client (MQTT 3.1.1 sections 3.4-3.14).
    pending_end_ = EndReason::protocol_error;
    keep = false;
  }
  if (keep && (phase_ == Phase::draining || phase_ == Phase::renewing) && idle()) {
    // Closing here would free the bytes this callback reads from: let the reader end it.
    if (send(mqtt::Packet{mqtt::Disconnect{}}) == mqtt::SendStatus::written) {
      client_.on_disconnect_sent(host_->now());
    }
    pending_end_ = phase_ == Phase::draining ? EndReason::drained : EndReason::renewal;
    keep = false;
  }
  return keep;
}

bool Session::on_connack(const mqtt::Connack& connack) {
  auto& metrics = host_->metrics();
  switch (client_.on_connack(connack)) {
    case mqtt::ConnackVerdict::accepted:
      metrics.record(metrics::Op::connect, metrics::Outcome::ok,
                     static_cast<std::uint64_t>((host_->now() - connect_started_).count()));
      metrics.sessions_connected.add();
      host_->counters().on_connected();
      if (!ever_connected_) {
        host_->counters().ever_connected.fetch_add(1, std::memory_order_relaxed);
        host_->counters().on_first_connect(connect_started_.count(), host_->now().count());
      }
      connected_ = true;
      ever_connected_ = true;
      phase_ = Phase::subscribing;
      if (mqtt_target()) return subscribe_mqtt();
      // Twin responses first: the GET waits for this SUBACK (reference 2.5).
      if (!subscribe(kTwinResponseSubscription, iothub::twin_response_filter)) return false;
      if (desired_subscriber_ && !subscribe(kDesiredSubscription, iothub::desired_patch_filter)) return false;
      return subscribe_service_topics();
    case mqtt::ConnackVerdict::refused:
      metrics.record(metrics::Op::connect, metrics::Outcome::error, 0);
      metrics.error(metrics::ErrorKind::connect_refused);
      pending_end_ = EndReason::refused;
      return false;
    case mqtt::ConnackVerdict::unexpected:
      pending_end_ = EndReason::protocol_error;
      return false;
  }
  return false;
}

bool Session::subscribe(std::uint32_t tag, std::string_view filter) {
  const auto id = client_.begin_subscribe(tag, 1);
  const mqtt::Subscription subscription{filter, 0};
  if (id && send(mqtt::Packet{mqtt::Subscribe{*id, {&subscription, 1}, {}}}) != mqtt::SendStatus::refused) {
    return true;
  }
  pending_end_ = EndReason::protocol_error;
  return false;
}

bool Session::on_suback(const mqtt::Suback& suback) {
  const mqtt::SubackVerdict verdict = client_.on_suback(suback);
  if (verdict.status != mqtt::SubackVerdict::Status::granted) {
    // The hub refuses filters it does not serve; without them the session cannot do its work.
    pending_end_ = EndReason::protocol_error;
    return false;
  }
  if (phase_ == Phase::subscribing && client_.pending_subscribes() == 0) {
    if (mqtt_target()) {
      on_subscribed_mqtt();  // no twin on a plain broker
    } else {
      phase_ = Phase::getting_twin;
      send_twin_get(host_->now());
    }
  }
  return true;
}

bool Session::on_publish(const mqtt::Publish& publish) {
  if (publish.qos > 1) {
    pending_end_ = EndReason::protocol_error;  // never subscribed above QoS 1
    return false;
  }
  if (publish.qos == 1) send(mqtt::Packet{mqtt::Puback{publish.packet_id}});
  if (mqtt_target()) return on_publish_mqtt(publish);
  const iothub::ParsedTopic topic = iothub::parse_topic(publish.topic);
  const Duration now = host_->now();
  switch (topic.kind) {
    case iothub::TopicKind::twin_response:
      on_twin_response(topic, publish.payload, now);
      break;
    case iothub::TopicKind::desired_patch:
      on_desired(topic, publish.payload, now);
      break;
    case iothub::TopicKind::method_request:
      on_method_request(topic, now);
      break;
    case iothub::TopicKind::c2d:
      on_c2d(topic, now);
      break;
    default:
      break;  // nothing else is subscribed; a stray message is not this session's concern
  }
  return true;
}

void Session::on_puback(const mqtt::Puback& puback) {
  if (const auto entry = client_.on_puback(puback)) {
    // MQTT 5: a reason code from 0x80 up is the broker refusing the message (quota, rights).
    if (puback.reason_code >= 0x80) {
      host_->metrics().record(inflight_op(entry->tag), metrics::Outcome::error, 0);
      return;
    }
    host_->metrics().record(inflight_op(entry->tag), metrics::Outcome::ok,
                            static_cast<std::uint64_t>((host_->now() - entry->intended).count()));
  }
}

void Session::fail_in_flight(metrics::Outcome outcome) {
  auto& metrics = host_->metrics();
  auto count = [&](metrics::Op op) {
    metrics.record(op, outcome, 0);
    if (outcome == metrics::Outcome::timeout) metrics.error(metrics::ErrorKind::timeout);
  };
  client_.expire_inflight(Duration::max(), [&](const mqtt::InflightEntry& e) { count(inflight_op(e.tag)); });
  twin_.expire(Duration::max(), [&](const TwinRequests::Entry& e) { count(e.op); });
  for (std::size_t i = 0; i < qos0_pending_count_; ++i) count(metrics::Op::telemetry);
  qos0_pending_count_ = 0;
}

void Session::end_connection(EndReason reason) {
  if (!live_) return;
  live_ = false;
  // A connection that will be followed by another leaves its TLS session for resumption.
  const bool reconnects = reason != EndReason::drained && !host_->draining() && ever_connected_;
  if (reconnects && connection_.stream().tls()) tls_session_.reset(connection_.stream().tls_session());
  renew_at_ = Duration::max();
  connection_.close();
  client_.on_closed();
  client_.clear_subscriptions();
  std::vector<std::string>().swap(buffered_desired_);
  if (service_) service_->methods.clear();  // calls to a closed connection: the hub answers them
  retry_get_at_ = Duration::max();
  fail_in_flight(metrics::Outcome::error);

  auto& metrics = host_->metrics();
  const bool was_connected = connected_;
  if (was_connected) {
    connected_ = false;
    metrics.sessions_disconnected.add();
    host_->counters().on_disconnected();
  }
  switch (reason) {
    case EndReason::drained:
    case EndReason::renewal:
      break;
    case EndReason::refused:
      break;  // counted with the CONNACK
    case EndReason::protocol_error:
      metrics.error(metrics::ErrorKind::protocol_error);
      break;
    case EndReason::connect_timeout:
      note_connect_failure("connect", "no CONNACK within 10 s (TCP connect, handshakes and CONNECT)");
      metrics.record(metrics::Op::connect, metrics::Outcome::timeout, 0);
      metrics.error(metrics::ErrorKind::timeout);
      host_->counters().connect_failures.fetch_add(1, std::memory_order_relaxed);
      break;
    case EndReason::connect_failed:
    case EndReason::peer_closed:
    case EndReason::transport_error:
    case EndReason::server_silent:
      if (was_connected) {
        metrics.error(metrics::ErrorKind::disconnected);
      } else {
        // The connection ended before a CONNACK: the connect failed.
        if (reason != EndReason::connect_failed) {
          note_connect_failure("connect", "the connection ended before CONNACK");
        }
        metrics.record(metrics::Op::connect, metrics::Outcome::error, 0);
        metrics.error(metrics::ErrorKind::connect_failed);
        host_->counters().connect_failures.fetch_add(1, std::memory_order_relaxed);
      }
      break;
  }

  if (reason == EndReason::renewal && !host_->draining()) {
    host_->counters().sas_renewals.fetch_add(1, std::memory_order_relaxed);
    start_connection(host_->now());  // at once: the old token is still valid for a while
    return;
  }
  if (reason == EndReason::drained || host_->draining()) {
    phase_ = Phase::closed;
    tls_session_.reset();
  } else if (!ever_connected_) {
    phase_ = Phase::failed;
    metrics.sessions_failed.add();
    host_->counters().failed.fetch_add(1, std::memory_order_relaxed);
  } else {
    phase_ = Phase::backoff;
    reconnect_at_ = host_->now() + kReconnectBackoffMin +
                    Duration{static_cast<Duration::rep>(static_cast<double>(kReconnectBackoffSpread.count()) *
                                                        backoff_rng_.uniform01())};
    rearm();
    return;
  }
  host_->disarm(slot_);
  host_->on_session_finished();
}

}  // namespace fleetsim::sim
