#include "hub/methods.hpp"

#include <array>
#include <charconv>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "hub/connection.hpp"
#include "hub/hub_context.hpp"
#include "hub/replies.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::hub {
namespace {

constexpr std::string_view kNotOnline = "DeviceNotOnline";

struct RidText {
  std::array<char, 17> chars{};
  std::size_t size = 0;
  std::string_view view() const noexcept { return {chars.data(), size}; }
};

RidText rid_text(std::uint64_t rid) noexcept {
  RidText text;
  const auto written = std::to_chars(text.chars.data(), text.chars.data() + text.chars.size(), rid, 16);
  text.size = static_cast<std::size_t>(written.ptr - text.chars.data());
  return text;
}

// The device's answer as the caller sees it: JSON as sent, null for an empty body, and (hub
// choice) any other bytes as a JSON string, so a device that answers text is still heard.
boost::json::value device_payload(std::span<const std::uint8_t> payload) {
  if (payload.empty()) return nullptr;
  const std::string_view text(reinterpret_cast<const char*>(payload.data()), payload.size());
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec);
  if (ec) return boost::json::string(text);
  return parsed;
}

}  // namespace

bool is_valid_method_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  constexpr std::string_view separators = "$()<>@,;:\\\"/[]?={} \t";
  for (const char c : name) {
    if (c < 0x21 || c > 0x7e || separators.find(c) != std::string_view::npos) return false;
  }
  return true;
}

MethodCalls::Started MethodCalls::start(Identity& identity, const MethodInvocation& call,
                                        RestWaiter& waiter) {
  Connection* connection = identity.connection;
  const bool reachable = connection != nullptr && connection->session().subscribed(Subscription::methods);
  if (!reachable && call.connect_timeout.count() <= 0) return Started::offline;

  const std::uint64_t rid = ++last_rid_;
  Pending& pending = calls_[rid];
  pending.waiter = &waiter;
  pending.response_timeout = call.response_timeout;
  if (reachable) {
    pending.session = &connection->session();
    // Deferred before sending: a send that fails closes the session, which answers the call.
    waiter.defer(*this, rid, Clock::now() + call.response_timeout);
    hub_.push_scratch.clear();
    send(hub_.push_scratch, rid, call.method_name, call.payload);
    connection->send(hub_.push_scratch);
    return Started::sent;
  }
  pending.client_id = identity.client_id;
  pending.method_name = call.method_name;
  pending.payload = call.payload;
  ++waiting_;
  waiter.defer(*this, rid, Clock::now() + call.connect_timeout);
  return Started::waiting_for_device;
}

void MethodCalls::send(std::vector<std::uint8_t>& out, std::uint64_t rid, std::string_view method_name,
                       std::string_view payload) {
  hub_.topic_scratch.clear();
  iothub::append_method_request_topic(hub_.topic_scratch, method_name, rid_text(rid).view());
  append_publish(out, hub_.topic_scratch, payload);
  bump(hub_.counters.methods_invoked);
}

void MethodCalls::session_subscribed(const SessionState& session, std::vector<std::uint8_t>& out) {
  if (waiting_ == 0 || session.identity == nullptr) return;
  const std::string_view client_id = session.identity->client_id;
  const auto now = Clock::now();
  for (auto& [rid, call] : calls_) {
    if (call.session != nullptr || call.client_id != client_id) continue;
    send(out, rid, call.method_name, call.payload);
    call.session = &session;
    --waiting_;
    std::string().swap(call.client_id);
    std::string().swap(call.method_name);
    std::string().swap(call.payload);
    call.waiter->set_deadline(now + call.response_timeout);
  }
}

void MethodCalls::device_answered(const SessionState& session, std::string_view rid, int status,
                                  std::span<const std::uint8_t> payload) {
  std::uint64_t key = 0;
  const auto parsed = std::from_chars(rid.data(), rid.data() + rid.size(), key, 16);
  if (parsed.ec != std::errc() || parsed.ptr != rid.data() + rid.size()) return;
  const auto it = calls_.find(key);
  if (it == calls_.end() || it->second.session != &session) return;
  RestWaiter* waiter = it->second.waiter;
  calls_.erase(it);

  boost::json::object body;
  body["status"] = status;
  body["payload"] = device_payload(payload);
  RestResponse response;
  response.status = 200;
  response.content_type = kJsonContentType;
  response.body = boost::json::serialize(body);
  bump(hub_.counters.methods_answered);
  waiter->answer(std::move(response));
}

void MethodCalls::session_closed(const SessionState& session, twin::Timestamp now) {
  for (auto it = calls_.begin(); it != calls_.end();) {
    if (it->second.session != &session) {
      ++it;
      continue;
    }
    Pending call = std::move(it->second);
    it = calls_.erase(it);
    answer_offline(call, "The device disconnected before it answered the method call.", now);
  }
}

void MethodCalls::deadline_passed(std::uint64_t key, RestWaiter& waiter, twin::Timestamp now) {
  const auto it = calls_.find(key);
  if (it == calls_.end()) return;  // not ours: RestWaiter gives up on it
  Pending call = std::move(it->second);
  calls_.erase(it);
  if (call.session == nullptr) {
    --waiting_;
    answer_offline(call, "Timed out waiting for the device to connect and subscribe to methods.", now);
    return;
  }
  bump(hub_.counters.methods_timed_out);
  waiter.answer(
      rest_error(hub_, 504, "GatewayTimeout", "Timed out waiting for the response from the device.", now));
}

void MethodCalls::answer_offline(Pending& call, std::string_view message, twin::Timestamp now) {
  bump(hub_.counters.methods_offline);
  call.waiter->answer(rest_error(hub_, 404, kNotOnline, message, now));
}

void MethodCalls::abandoned(std::uint64_t key) {
  const auto it = calls_.find(key);
  if (it == calls_.end()) return;
  if (it->second.session == nullptr) --waiting_;
  calls_.erase(it);
}

}  // namespace fleetsim::hub
