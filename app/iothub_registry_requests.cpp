// The registry requests of an iothub target (reference 3.4): bulk device creation and deletion,
// modules one by one (bulk operations are for devices only), keys read back for identities that
// exist. 429 and 503 are retried after Retry-After, or else an exponential backoff, and counted.
#include <algorithm>
#include <string_view>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "app/iothub_registry_work.hpp"

namespace fleetsim::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using iothub_registry::Identity;
using transports::http::encode_path_segment;
using transports::http::Request;
using transports::http::Response;
using transports::http::ServiceClient;
using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kRequestTimeout = 30s;
constexpr int kMaxThrottleRetries = 20;
constexpr std::chrono::milliseconds kFirstBackoff = 200ms;
constexpr std::chrono::milliseconds kMaxBackoff = 10s;
constexpr std::chrono::milliseconds kMaxRetryAfter = 60s;

std::string identity_path(const Identity& identity) {
  std::string path = "/devices/" + encode_path_segment(identity.device);
  if (!identity.module.empty()) path += "/modules/" + encode_path_segment(identity.module);
  return path;
}

std::string identity_name(const Identity& identity) {
  return identity.module.empty() ? "device '" + identity.device + "'"
                                 : "module '" + identity.device + "/" + identity.module + "'";
}

// A bulk answer's per-device error: "DeviceAlreadyExists" as a name (real IoT Hub) or 409001.
bool already_exists(const json::value& code) {
  if (code.is_string()) return code.get_string() == "DeviceAlreadyExists";
  if (code.is_int64()) return code.get_int64() == 409001;
  if (code.is_uint64()) return code.get_uint64() == 409001;
  return false;
}

bool not_found(const json::value& code) {
  if (code.is_string()) return code.get_string() == "DeviceNotFound";
  if (code.is_int64()) return code.get_int64() == 404001;
  if (code.is_uint64()) return code.get_uint64() == 404001;
  return false;
}

// The per-device errors of a bulk answer (200, or 400 when some entries failed), by device id;
// nullopt when the body is not a bulk result.
std::optional<std::vector<std::pair<std::string, json::value>>> bulk_errors(const Response& response,
                                                                            std::string& statuses) {
  if (response.status != 200 && response.status != 400) return std::nullopt;
  boost::system::error_code ec;
  const json::value body = json::parse(response.body, ec);
  if (ec || !body.is_object() || !body.as_object().contains("isSuccessful")) return std::nullopt;
  std::vector<std::pair<std::string, json::value>> errors;
  if (const json::value* list = body.as_object().if_contains("errors"); list != nullptr && list->is_array()) {
    for (const json::value& e : list->get_array()) {
      if (!e.is_object()) continue;
      const json::value* id = e.as_object().if_contains("deviceId");
      const json::value* code = e.as_object().if_contains("errorCode");
      if (id == nullptr || !id->is_string()) continue;
      errors.emplace_back(std::string(id->get_string()), code != nullptr ? *code : json::value());
      if (const json::value* status = e.as_object().if_contains("errorStatus");
          status && status->is_string()) {
        if (statuses.empty()) statuses = std::string(status->get_string());
      }
    }
  }
  return errors;
}

json::object sas_authentication(std::string_view primary, std::string_view secondary) {
  return {{"type", "sas"}, {"symmetricKey", {{"primaryKey", primary}, {"secondaryKey", secondary}}}};
}

}  // namespace

void IotHubRegistry::Work::refuse(const Request& request, const Response& response) {
  std::string message = "IoT Hub refused " + request.method + " " + request.target + ": HTTP " +
                        std::to_string(response.status);
  if (!response.error_code.empty()) message += " " + response.error_code;
  if (!response.body.empty()) message += "\n" + response.body;
  fail(std::move(message));
}

asio::awaitable<bool> IotHubRegistry::Work::exchange(ServiceClient& client, const Request& request,
                                                     Response& out) {
  std::chrono::milliseconds backoff = kFirstBackoff;
  for (int attempt = 0;; ++attempt) {
    if (const auto ec = co_await client.send(request, out, kRequestTimeout); ec) {
      fail("the IoT Hub service API is unreachable: " + client.last_error());
      co_return false;
    }
    if (out.status != 429 && out.status != 503) co_return true;
    ++stats.throttled;
    if (attempt == kMaxThrottleRetries) {
      refuse(request, out);
      co_return false;
    }
    const auto wait = out.retry_after.count() > 0 ? std::min(out.retry_after, kMaxRetryAfter) : backoff;
    backoff = std::min(backoff * 2, kMaxBackoff);
    asio::steady_timer timer(io, wait);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<std::optional<IotHubRegistry::Work::BulkErrors>> IotHubRegistry::Work::post_bulk(
    ServiceClient& client, const json::array& body, std::string& first_status) {
  Request request;
  request.method = "POST";
  request.target = "/devices";
  request.body = json::serialize(body);
  Response out;
  if (!co_await exchange(client, request, out)) co_return std::nullopt;
  auto errors = bulk_errors(out, first_status);
  if (!errors) refuse(request, out);
  co_return errors;
}

asio::awaitable<bool> IotHubRegistry::Work::read_key(ServiceClient& client, std::size_t k) {
  const Identity& identity = identities[k];
  Request request;
  request.target = identity_path(identity);
  Response out;
  if (!co_await exchange(client, request, out)) co_return false;
  if (out.status == 404) {
    fail(identity_name(identity) + " is not registered in " + service.host_name +
         (scenario.target.provision ? "" : " (with target.provision = false every identity must exist)"));
    co_return false;
  }
  if (out.status != 200) {
    refuse(request, out);
    co_return false;
  }
  boost::system::error_code ec;
  const json::value body = json::parse(out.body, ec);
  const json::value* type = ec ? nullptr : body.find_pointer("/authentication/type", ec);
  const json::value* key = ec ? nullptr : body.find_pointer("/authentication/symmetricKey/primaryKey", ec);
  if (type == nullptr || !type->is_string() || type->get_string() != "sas" || key == nullptr ||
      !key->is_string() || key->get_string().empty()) {
    fail(identity_name(identity) +
         " does not authenticate with SAS keys; fleetsim's iothub target needs SAS identities");
    co_return false;
  }
  if (key->get_string() != seed_key(identity)) {
    if (keys.empty()) keys.resize(identities.size());
    keys[k] = std::string(key->get_string());
  }
  ++stats.existing;
  co_return true;
}

asio::awaitable<bool> IotHubRegistry::Work::create_devices(ServiceClient& client,
                                                           const std::vector<std::size_t>& batch,
                                                           std::vector<std::size_t>& existing) {
  json::array body;
  body.reserve(batch.size());
  for (const std::size_t k : batch) {
    const Identity& identity = identities[k];
    body.push_back(
        json::object{{"id", identity.device},
                     {"importMode", "create"},
                     {"status", "enabled"},
                     {"authentication", sas_authentication(seed_key(identity), secondary_key(identity))}});
  }
  std::string first_status;
  const auto errors = co_await post_bulk(client, body, first_status);
  if (!errors) co_return false;
  for (const std::size_t k : batch) {
    Identity& identity = identities[k];
    const auto it = std::find_if(errors->begin(), errors->end(),
                                 [&](const auto& e) { return e.first == identity.device; });
    if (it == errors->end()) {
      identity.created = true;
      ++stats.created;
    } else if (already_exists(it->second)) {
      existing.push_back(k);
    } else {
      fail("IoT Hub refused to create " + identity_name(identity) + ": " + json::serialize(it->second) + " " +
           first_status);
      co_return false;
    }
  }
  co_return true;
}

asio::awaitable<bool> IotHubRegistry::Work::create_module(ServiceClient& client, std::size_t k) {
  Identity& identity = identities[k];
  Request request;
  request.method = "PUT";
  request.target = identity_path(identity);
  request.body = json::serialize(
      json::object{{"deviceId", identity.device},
                   {"moduleId", identity.module},
                   {"authentication", sas_authentication(seed_key(identity), secondary_key(identity))}});
  Response out;
  if (!co_await exchange(client, request, out)) co_return false;
  if (out.status == 200 || out.status == 201) {
    identity.created = true;
    ++stats.created;
    co_return true;
  }
  if (out.status == 409) co_return co_await read_key(client, k);
  refuse(request, out);
  co_return false;
}

asio::awaitable<bool> IotHubRegistry::Work::delete_devices(ServiceClient& client,
                                                           const std::vector<std::size_t>& batch) {
  json::array body;
  for (const std::size_t k : batch) {
    body.push_back(json::object{{"id", identities[k].device}, {"importMode", "delete"}});
  }
  std::string first_status;
  const auto errors = co_await post_bulk(client, body, first_status);
  if (!errors) co_return false;
  for (const std::size_t k : batch) {
    const auto it = std::find_if(errors->begin(), errors->end(),
                                 [&](const auto& e) { return e.first == identities[k].device; });
    if (it != errors->end() && !not_found(it->second)) {
      fail("IoT Hub refused to delete " + identity_name(identities[k]) + ": " + first_status);
      co_return false;
    }
    if (it != errors->end()) continue;  // gone already
    // Its modules went with it.
    ++stats.deleted;
    for (std::size_t m = k + 1; m < identities.size() && !identities[m].module.empty(); ++m) {
      if (identities[m].created) ++stats.deleted;
    }
  }
  co_return true;
}

asio::awaitable<bool> IotHubRegistry::Work::delete_module(ServiceClient& client, std::size_t k) {
  Request request;
  request.method = "DELETE";
  request.target = identity_path(identities[k]);
  request.if_match = "\"*\"";
  Response out;
  if (!co_await exchange(client, request, out)) co_return false;
  if (out.status == 200 || out.status == 204) {
    ++stats.deleted;
    co_return true;
  }
  if (out.status == 404) co_return true;
  refuse(request, out);
  co_return false;
}

}  // namespace fleetsim::app
