// libFuzzer target for the hub's service REST API (hub/service/, reference 3): any request, signed
// as the iothubowner policy so it gets past authorization to the handlers, goes through the hub's
// REST dispatcher on a hub with a few devices, modules and twins. Every answer has a status in
// 200..599; a body is JSON under the JSON content type; a refusal has IoT Hub's error shape with
// its iothub-errorcode; no header value can break the HTTP framing. A direct method call that
// defers (connectTimeoutInSeconds > 0: no device is ever connected here) leaves nothing pending
// once its deadline is forced or its caller gives up.
//
// Input: up to max_requests requests, each written like HTTP so that seeds are readable:
//
//   PATCH /twins/dev-1?api-version=2021-04-12
//   if-match: *
//   content-type: application/json
//
//   {"tags":{"site":"plant-7"}}
//
// The first line is the method and the target; "name: value" header lines follow up to an empty
// line (authorization, if-match, content-type, x-ms-max-item-count, x-ms-continuation, iothub-*;
// an authorization header replaces the owner's token); the body runs to a line "%%" alone, which
// starts the next request, or to the end. Lines end in "\n" or "\r\n".
//
// Each input gets a hub of its own, built before its first request and destroyed after its last:
// sequences of requests live inside one input (up to max_requests), every failure reproduces from
// its input alone, and memory cannot grow from input to input, so libFuzzer's leak check (run when
// an input allocates more than it frees) finds only real leaks, such as a pending method call the
// hub failed to drop. (A hub kept across inputs was tried: each input that grew it set off that
// leak check, a scan of the whole heap, and the rate fell below half of this one's within 40 s.)
// With FLEETSIM_FUZZ_VERBOSE set, each request and its answer are printed, to see what a seed
// reaches.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "hub/hub_context.hpp"
#include "hub/rest.hpp"
#include "hub/rest_waiter.hpp"
#include "hub/service/key_generator.hpp"
#include "hub/service/service.hpp"
#include "transports/iothub/ascii.hpp"
#include "transports/iothub/sas.hpp"

namespace {

namespace json = boost::json;
namespace hub = fleetsim::hub;
using namespace std::chrono_literals;

constexpr std::string_view host = "fuzz-hub.azure-devices.net";
constexpr std::size_t max_requests = 8;
constexpr std::size_t max_iothub_headers = 16;
constexpr std::string_view request_separator = "%%";

// A fixed clock: the same input gets the same answer, token expiry and iothub-expiry included.
const fleetsim::twin::Timestamp now = std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + 12h;

// The input being run: printed with a broken invariant, since the replay binary does not print
// inputs that trap.
std::string_view current_input;

// A broken invariant: says which and on what, then traps (libFuzzer saves the input too).
void require(bool condition, const char* what, const hub::RestResponse* response = nullptr) {
  if (condition) return;
  std::fprintf(stderr, "fuzz_service_api: broken invariant: %s\n  input: ", what);
  for (const char c : current_input) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      std::fputc(byte, stderr);
    } else {
      std::fprintf(stderr, "\\x%02x", byte);
    }
  }
  std::fputc('\n', stderr);
  if (response != nullptr) {
    std::fprintf(stderr, "  status %u, content type '%s', body: %s\n", response->status,
                 response->content_type.c_str(), response->body.c_str());
  }
  __builtin_trap();
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return fleetsim::iothub::detail::iequals_ascii(a, b);
}

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The next line of `text` without its "\n" or "\r\n"; `text` keeps what follows.
std::string_view next_line(std::string_view& text) noexcept {
  const std::size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

// One request of the input, its views into the input.
struct ParsedRequest {
  hub::RestRequest rest;
  std::optional<std::string_view> authorization;  // from the input: replaces the owner's token
  std::vector<hub::HeaderView> iothub_headers;
};

// Splits off the first request of `input`; `input` keeps the ones after it.
ParsedRequest parse_request(std::string_view& input) {
  ParsedRequest parsed;
  const std::string_view request_line = next_line(input);
  const std::size_t space = request_line.find(' ');
  parsed.rest.method = request_line.substr(0, space);
  parsed.rest.target = space == std::string_view::npos ? std::string_view{} : request_line.substr(space + 1);

  while (!input.empty()) {
    const std::string_view line = next_line(input);
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value =
        colon == std::string_view::npos ? std::string_view{} : trim(line.substr(colon + 1));
    if (iequals(name, "authorization")) {
      parsed.authorization = value;
    } else if (iequals(name, "if-match")) {
      parsed.rest.if_match = value;
    } else if (iequals(name, "content-type")) {
      parsed.rest.content_type = value;
    } else if (iequals(name, "x-ms-max-item-count")) {
      parsed.rest.max_item_count = value;
    } else if (iequals(name, "x-ms-continuation")) {
      parsed.rest.continuation = value;
    } else if (iequals(name, "request-id")) {
      parsed.rest.request_id = value;
    } else if (name.size() >= 7 && iequals(name.substr(0, 7), "iothub-") &&
               parsed.iothub_headers.size() < max_iothub_headers) {
      parsed.iothub_headers.emplace_back(name, value);
    }
  }

  // The body: up to a separator line (the newline before it belongs to the separator), or the
  // rest as it is.
  std::size_t from = 0;
  while (true) {
    const std::size_t found = input.find(request_separator, from);
    if (found == std::string_view::npos) {
      parsed.rest.body = input;
      input = {};
      break;
    }
    std::string_view after = input.substr(found + request_separator.size());
    const bool line_start = found == 0 || input[found - 1] == '\n';
    if (line_start && (after.empty() || after.starts_with('\n') || after.starts_with("\r\n"))) {
      std::string_view body = input.substr(0, found);
      if (body.ends_with('\n')) body.remove_suffix(1);
      if (body.ends_with('\r')) body.remove_suffix(1);
      parsed.rest.body = body;
      next_line(after);
      input = after;
      break;
    }
    from = found + 1;
  }
  return parsed;
}

bool has_breaking_character(std::string_view text) noexcept {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::string_view header(const hub::RestResponse& response, std::string_view name) {
  for (const auto& [field, value] : response.headers) {
    if (iequals(field, name)) return value;
  }
  return {};
}

// What every answer of the service API promises (service.hpp, rest.hpp; reference 3.2, 8.5).
void check_answer(const hub::RestResponse& response) {
  require(response.status >= 200 && response.status <= 599, "status outside 200..599", &response);
  require(!has_breaking_character(response.content_type), "CR, LF or NUL in the content type", &response);
  for (const auto& [name, value] : response.headers) {
    require(!name.empty() && !has_breaking_character(name) && !has_breaking_character(value),
            "CR, LF or NUL in a header field", &response);
  }
  json::value body;
  if (!response.body.empty() || response.content_type.starts_with("application/json")) {
    require(response.content_type == hub::kJsonContentType, "a body without the JSON content type",
            &response);
    boost::system::error_code ec;
    body = json::parse(response.body, ec);
    require(!ec, "a JSON answer that does not parse", &response);
  }
  if (response.status >= 400) {
    const std::string_view error_name = header(response, "iothub-errorcode");
    require(!error_name.empty(), "a refusal without iothub-errorcode", &response);
    const json::object* object = body.if_object();
    const json::value* message = object != nullptr ? object->if_contains("Message") : nullptr;
    require(message != nullptr && message->is_string(), "a refusal without a Message", &response);
    const std::string_view text = message->get_string();
    require(text.starts_with("ErrorCode:") && text.substr(10).starts_with(error_name) &&
                text.substr(10 + error_name.size()).starts_with(";"),
            "a refusal whose Message does not start with ErrorCode:{iothub-errorcode};", &response);
  }
  if (response.status == 405) require(!header(response, "Allow").empty(), "405 without Allow", &response);
  if (const std::string_view etag = header(response, "ETag"); !etag.empty()) {
    require(etag.size() >= 2 && etag.front() == '"' && etag.back() == '"', "an ETag not in quotes",
            &response);
  }
}

class Harness {
 public:
  Harness() = default;
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  void run(std::string_view input) {
    build();
    for (std::size_t i = 0; i < max_requests && !input.empty(); ++i) {
      ParsedRequest parsed = parse_request(input);
      parsed.rest.iothub_headers = parsed.iothub_headers;
      parsed.rest.authorization = parsed.authorization.value_or(std::string_view(token_));
      // Which way a deferred call ends: the caller gives up, or its deadline passes.
      answer(parsed.rest, parsed.rest.body.size() % 2 == 0);
    }
    // Every deferred call has ended by now (answer()), so nothing refers to the hub any more.
    require(!waiter_.deferred(), "a waiter still deferred when the hub goes");
    hub_.reset();
  }

 private:
  // A fresh hub with deterministic keys, the owner's token and the identities inputs talk about.
  void build() {
    hub_ = std::make_unique<hub::HubContext>(std::string(host));
    hub_->service_api = hub::service::ServiceApi(hub::service::KeyGenerator(20261123));
    const hub::service::Policy* owner = hub_->service_api.policies().find(hub::service::Policies::owner);
    require(owner != nullptr, "no iothubowner policy");
    const auto expiry =
        std::chrono::duration_cast<std::chrono::seconds>((now + 24h * 3650).time_since_epoch());
    const auto token = fleetsim::iothub::make_sas_token(
        host, owner->primary_key, static_cast<std::uint64_t>(expiry.count()), owner->name);
    require(token.has_value(), "no owner token");
    token_ = *token;

    static constexpr std::pair<std::string_view, std::string_view> setup[] = {
        {"PUT /devices/dev-1", "{}"},
        {"PUT /devices/dev-2", R"({"status":"disabled","statusReason":"maintenance"})"},
        {"PUT /devices/plant%3A7%40line", R"({"capabilities":{"iotEdge":true}})"},
        {"PUT /devices/dev-1/modules/sensor", "{}"},
        {"PUT /devices/plant%3A7%40line/modules/edge.agent", R"({"managedBy":"iotEdge"})"},
        {"PATCH /twins/dev-1",
         R"({"tags":{"site":"plant-7","floor":1,"location":{"region":"US"}},"properties":{"desired":{"interval":10,"mode":"eco"}}})"},
        {"PATCH /twins/dev-2",
         R"({"tags":{"site":"plant-9","floor":2},"properties":{"desired":{"interval":60}}})"},
        {"PATCH /twins/dev-1/modules/sensor",
         R"({"tags":{"kind":"temperature"},"properties":{"desired":{"unit":"C"}}})"},
    };
    for (const auto& [line, body] : setup) {
      const std::size_t space = line.find(' ');
      hub::RestRequest request;
      request.method = line.substr(0, space);
      request.target = line.substr(space + 1);
      request.authorization = token_;
      request.content_type = hub::kJsonContentType;
      request.body = body;
      const hub::RestResponse response = hub_->rest_dispatcher(*hub_, request, now);
      require(response.status == 200, "a setup request refused", &response);
    }
  }

  void answer(hub::RestRequest& request, bool give_up) {
    request.waiter = &waiter_;
    const hub::RestResponse response = hub_->rest_dispatcher(*hub_, request, now);
    if (verbose_) {
      std::fprintf(stderr, "%.*s %.*s -> %u%s %s\n", static_cast<int>(request.method.size()),
                   request.method.data(), static_cast<int>(request.target.size()), request.target.data(),
                   response.status, waiter_.deferred() ? " (deferred)" : "", response.body.c_str());
    }
    if (!waiter_.deferred()) {
      require(!waiter_.take_answer().has_value(), "an answer on a waiter that was not deferred");
      require(hub_->methods.size() == 0, "a method call pending without a deferred waiter");
      check_answer(response);
      return;
    }
    // Deferred: the returned response is ignored; the answer comes through the waiter.
    require(hub_->methods.size() == 1, "a deferred waiter without its pending call");
    if (give_up) {
      waiter_.abandon();
      require(!waiter_.deferred() && !waiter_.take_answer().has_value(), "an abandoned waiter answered");
    } else {
      require(waiter_.check_deadline(hub::RestWaiter::Clock::time_point::max(), now),
              "a deferred call unanswered past its deadline");
      const std::optional<hub::RestResponse> late = waiter_.take_answer();
      require(late.has_value() && late->status == 404, "a call that never reached its device not 404");
      check_answer(*late);
    }
    require(hub_->methods.size() == 0, "a method call still pending after its waiter finished");
  }

  boost::asio::io_context io_;  // the waiter's timer needs an executor; nothing runs it
  std::unique_ptr<hub::HubContext> hub_;
  hub::RestWaiter waiter_{io_.get_executor()};  // after hub_: goes first, while its source lives
  std::string token_;
  const bool verbose_ = std::getenv("FLEETSIM_FUZZ_VERBOSE") != nullptr;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Harness harness;
  current_input = std::string_view(reinterpret_cast<const char*>(data), size);
  harness.run(current_input);
  return 0;
}
