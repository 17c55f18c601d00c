// A hub with the service API in front of it, and requests signed as the back end would sign them.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "hub/service/service.hpp"
#include "hub_test_support.hpp"

namespace fleetsim::hub::test {

// The policy-signed token a back-end service sends: sr = the bare host, as the Node service SDK
// writes it (reference 1.3).
inline std::string policy_token(const service::Policy& policy, std::uint64_t expiry = test_now_s() + 3600,
                                std::string_view resource = host, bool secondary = false) {
  const auto token = iothub::make_sas_token(resource, secondary ? policy.secondary_key : policy.primary_key,
                                            expiry, policy.name);
  EXPECT_TRUE(token.has_value());
  return token.value_or("");
}

// `etag` as an If-Match or ETag header writes it. Built by appending: GCC 12 warns (-Wrestrict,
// falsely) on `"\"" + string + "\""`.
inline std::string in_quotes(std::string_view etag) {
  std::string text(1, '"');
  text.append(etag).push_back('"');
  return text;
}

class ServiceFixture : public HubFixture {
 protected:
  const service::Policy& policy(std::string_view name) const {
    const service::Policy* found = api.policies().find(name);
    EXPECT_NE(found, nullptr) << name;
    return *found;
  }

  // A request as the owner (or with `authorization` when given).
  service::Response call(std::string_view method, std::string_view target, std::string_view body = {},
                         std::string_view if_match = {}, std::string_view authorization = {}) {
    token_ = authorization.empty() ? policy_token(policy("iothubowner")) : std::string(authorization);
    service::Request request;
    request.method = method;
    service::set_target(request, target);
    request.authorization = token_;
    request.if_match = if_match;
    request.body = body;
    if (!body.empty()) request.content_type = "application/json; charset=utf-8";
    return api.handle(context, request, test_now());
  }

  static boost::json::object body_of(const service::Response& response) {
    return boost::json::parse(response.body).as_object();
  }

  // The "ErrorCode:{Name};…" Message of an error body.
  static std::string message_of(const service::Response& response) {
    return std::string(body_of(response).at("Message").as_string());
  }

  service::ServiceApi api{service::KeyGenerator(7)};

 private:
  std::string token_;
};

}  // namespace fleetsim::hub::test
