// A session's twin traffic: GET and reported PATCH requests with their $rid, the answers, and
// desired-property notifications with their acknowledgement (reference 2.8, 2.9, 2.12, 6).
#include <charconv>

#include <boost/json/serialize.hpp>

#include "sim/session.hpp"
#include "sim/session_host.hpp"

namespace fleetsim::sim {
namespace {

// A GET that failed is asked again after this long (a 429 included: the hub asked to slow down).
constexpr Duration kGetRetryDelay = std::chrono::seconds(1);

std::string_view rid_text(char (&buf)[12], std::uint32_t rid) {
  const auto end = std::to_chars(buf, buf + sizeof buf, rid).ptr;
  return {buf, static_cast<std::size_t>(end - buf)};
}

}  // namespace

void Session::count_failure_to_send(metrics::Op op) {
  // Refused by a full window or a full socket: back-pressure, counted, never queued.
  host_->metrics().record(op, metrics::Outcome::error, 0);
  host_->metrics().error(metrics::ErrorKind::inflight_full);
}

bool Session::send_twin_get(Duration now) {
  retry_get_at_ = Duration::max();
  const auto rid = twin_.begin(metrics::Op::twin_get, now);
  if (!rid) {
    count_failure_to_send(metrics::Op::twin_get);
    retry_get_at_ = now + kGetRetryDelay;
    return false;
  }
  char buf[12];
  std::string& topic = host_->scratch().topic;
  topic.clear();
  iothub::append_twin_get_topic(topic, rid_text(buf, *rid));
  mqtt::Publish publish;
  publish.topic = topic;
  const mqtt::SendStatus status = send(mqtt::Packet{publish});
  if (status == mqtt::SendStatus::refused || status == mqtt::SendStatus::failed) {
    twin_.complete(*rid);
    count_failure_to_send(metrics::Op::twin_get);
    retry_get_at_ = now + kGetRetryDelay;
    return false;
  }
  host_->metrics().messages_sent.add();
  return true;
}

std::uint32_t Session::send_reported_patch(std::string_view body, Duration now) {
  if (mqtt_target()) {
    send_reported_mqtt(body, now);
    return 0;
  }
  const auto rid = twin_.begin(metrics::Op::reported_patch, now);
  if (!rid) {
    count_failure_to_send(metrics::Op::reported_patch);
    return 0;
  }
  char buf[12];
  std::string& topic = host_->scratch().topic;
  topic.clear();
  iothub::append_reported_patch_topic(topic, rid_text(buf, *rid));
  mqtt::Publish publish;
  publish.topic = topic;
  publish.payload = mqtt::as_bytes(body);
  const mqtt::SendStatus status = send(mqtt::Packet{publish});
  if (status == mqtt::SendStatus::refused || status == mqtt::SendStatus::failed) {
    twin_.complete(*rid);
    count_failure_to_send(metrics::Op::reported_patch);
    return 0;
  }
  host_->metrics().messages_sent.add();
  host_->metrics().bytes_sent.add(body.size());
  return *rid;
}

void Session::on_twin_response(const iothub::ParsedTopic& topic, mqtt::Bytes body, Duration now) {
  const auto rid = parse_rid(topic.rid);
  if (!rid) return;
  const auto request = twin_.complete(*rid);
  if (!request) return;  // answered after its timeout: already counted
  auto& metrics = host_->metrics();
  const bool ok = request->op == metrics::Op::twin_get ? topic.status == 200 : topic.status / 100 == 2;
  if (ok) {
    metrics.record(request->op, metrics::Outcome::ok,
                   static_cast<std::uint64_t>((now - request->sent).count()));
  } else if (topic.status == 429) {
    metrics.record(request->op, metrics::Outcome::throttled, 0);
  } else {
    metrics.record(request->op, metrics::Outcome::error, 0);
    metrics.error(metrics::ErrorKind::twin_rejected);
  }
  if (request->op == metrics::Op::reported_patch) note_ack_answered(*rid, topic.status, now);
  if (request->op != metrics::Op::twin_get || phase_ != Phase::getting_twin) return;
  if (ok) {
    on_twin_received(body, now);
  } else {
    retry_get_at_ = now + kGetRetryDelay;
  }
}

void Session::on_twin_received(mqtt::Bytes body, Duration now) {
  phase_ = Phase::ready;
  const auto desired = parse_twin_desired(mqtt::as_string(body));
  if (desired) {
    // What changed while this session was away is acknowledged now (reference section 6).
    if (desired_subscriber_ && desired->version > desired_version_) acknowledge(*desired, now);
    desired_version_ = std::max(desired_version_, desired->version);
  }
  // Notifications that raced the GET: only those newer than what it returned (reference 2.12).
  std::vector<std::string> buffered;
  buffered.swap(buffered_desired_);
  for (const std::string& text : buffered) {
    const auto patch = parse_desired_notification(text, std::nullopt);
    if (patch && patch->version > desired_version_) {
      desired_version_ = patch->version;
      acknowledge(*patch, now);
    }
  }
  // The first notification of every property goes out now, and the timers start from it; after
  // a reconnection, from the intended time of that attempt (reference 7.2).
  open_reported(attempt_at_);
}

void Session::on_desired(const iothub::ParsedTopic& topic, mqtt::Bytes body, Duration now) {
  if (!desired_subscriber_) return;
  if (phase_ == Phase::subscribing || phase_ == Phase::getting_twin) {
    if (buffered_desired_.size() >= kMaxBufferedDesired) {
      host_->metrics().error(metrics::ErrorKind::inflight_full);
      return;
    }
    // The topic's version goes into the text when the body lacks one, so it is not lost.
    const auto patch = parse_desired_notification(mqtt::as_string(body), topic.version);
    if (patch) {
      note_desired_received(patch->version, now);
      boost::json::object with_version = patch->members;
      with_version["$version"] = patch->version;
      buffered_desired_.push_back(boost::json::serialize(with_version));
    }
    return;
  }
  if (phase_ != Phase::ready) return;  // draining: no new operations
  const auto patch = parse_desired_notification(mqtt::as_string(body), topic.version);
  if (patch) note_desired_received(patch->version, now);
  if (!patch || patch->version <= desired_version_) return;
  desired_version_ = patch->version;
  acknowledge(*patch, now);
}

void Session::acknowledge(const DesiredPatch& patch, Duration now) {
  std::string& body = host_->scratch().payload;
  body.clear();
  if (append_desired_ack(body, host_->plan().ack, patch)) {
    note_ack_sent(patch.version, send_reported_patch(body, now), now);
  }
}

}  // namespace fleetsim::sim
