// Which operation a request names, and the answers for those that name none (reference 3.2).
#include "hub/service/errors.hpp"
#include "hub/service/rest_adapter.hpp"
#include "hub/service/route.hpp"
#include "service_test_support.hpp"

namespace fleetsim::hub {
namespace {

using service::match_route;
using service::Operation;

TEST(ServiceRoute, EachRouteAndItsIds) {
  const auto op = [](std::string_view method, std::string_view path) {
    const auto match = match_route(method, path);
    EXPECT_TRUE(match.result) << method << ' ' << path;
    return match.route.operation;
  };
  EXPECT_EQ(op("GET", "/devices"), Operation::list_devices);
  EXPECT_EQ(op("POST", "/devices"), Operation::bulk_devices);
  EXPECT_EQ(op("POST", "/devices/query"), Operation::query);
  EXPECT_EQ(op("GET", "/statistics/devices"), Operation::statistics);
  EXPECT_EQ(op("GET", "/devices/d"), Operation::get_device);
  EXPECT_EQ(op("PUT", "/devices/d"), Operation::put_device);
  EXPECT_EQ(op("DELETE", "/devices/d"), Operation::delete_device);
  EXPECT_EQ(op("GET", "/devices/d/modules"), Operation::list_modules);
  EXPECT_EQ(op("GET", "/devices/d/modules/m"), Operation::get_module);
  EXPECT_EQ(op("PUT", "/devices/d/modules/m"), Operation::put_module);
  EXPECT_EQ(op("DELETE", "/devices/d/modules/m"), Operation::delete_module);
  EXPECT_EQ(op("GET", "/twins/d"), Operation::get_twin);
  EXPECT_EQ(op("PATCH", "/twins/d/modules/m"), Operation::patch_twin);
  EXPECT_EQ(op("PUT", "/twins/d"), Operation::replace_twin);
  // GET, PUT and DELETE of /devices/query name the device "query", as on IoT Hub.
  EXPECT_EQ(op("GET", "/devices/query"), Operation::get_device);
  EXPECT_EQ(op("DELETE", "/devices/query"), Operation::delete_device);
  EXPECT_EQ(match_route("GET", "/devices/query").route.device_id, "query");
  const auto match = match_route("GET", "/twins/a%2Fb%20c/modules/x%24");
  EXPECT_FALSE(match.result);  // '/' and ' ' are not id characters
  const auto decoded = match_route("GET", "/twins/dev%2A1/modules/m%21");
  ASSERT_TRUE(decoded.result);
  EXPECT_EQ(decoded.route.device_id, "dev*1");
  EXPECT_EQ(decoded.route.module_id, "m!");
}

TEST(ServiceRoute, ScopesAndPermissions) {
  service::Route route;
  route.device_id = "d";
  EXPECT_EQ(service::required_scope("h", route), "h/devices/d");
  route.module_id = "m";
  EXPECT_EQ(service::required_scope("h", route), "h/devices/d/modules/m");
  route = service::Route{Operation::bulk_devices, {}, {}};
  EXPECT_EQ(service::required_scope("h", route), "h/devices");
  route.operation = Operation::query;
  EXPECT_EQ(service::required_scope("h", route), "h/devices");
  route.operation = Operation::statistics;
  EXPECT_EQ(service::required_scope("h", route), "h");
  EXPECT_EQ(service::permission_of(Operation::statistics), service::Permission::registry_read);
  EXPECT_EQ(service::permission_of(Operation::delete_module), service::Permission::registry_write);
  EXPECT_EQ(service::permission_of(Operation::query), service::Permission::service_connect);
  EXPECT_EQ(service::permission_of(Operation::get_module), service::Permission::registry_read);
  EXPECT_EQ(service::permission_of(Operation::bulk_devices), service::Permission::registry_write);
  EXPECT_EQ(service::permission_of(Operation::replace_twin), service::Permission::service_connect);
}

class ServiceRouting : public test::ServiceFixture {};

TEST_F(ServiceRouting, UnknownRoutesAre404NotFound) {
  for (const char* target :
       {"/", "/nothing", "/devices/d/unknown", "/twins", "/twins/d/modules", "/devices//x",
        "/devices/d/modules/m/x", "devices/d", "/statistics", "/statistics/modules"}) {
    const service::Response response = call("GET", target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_EQ(response.error_code, "NotFound") << target;
    EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
    EXPECT_TRUE(message_of(response).starts_with("ErrorCode:NotFound;")) << message_of(response);
  }
}

TEST_F(ServiceRouting, AWrongMethodIs405WithTheAllowedOnes) {
  const service::Response response = call("DELETE", "/twins/dev1");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.allow, "GET, PATCH, PUT");
  EXPECT_EQ(response.error_code, "MethodNotAllowed");
  EXPECT_EQ(call("PATCH", "/devices/dev1").allow, "GET, PUT, DELETE");
  EXPECT_EQ(call("DELETE", "/devices").allow, "GET, POST");
  EXPECT_EQ(call("GET", "/devices/query").status, 404);  // the device "query", which does not exist
  EXPECT_EQ(call("get", "/devices/dev1").status, 405);   // methods are case-sensitive
}

TEST_F(ServiceRouting, EveryErrorHasTheIotHubShape) {
  const service::Response response = call("GET", "/devices/nosuch");
  const auto body = body_of(response);
  ASSERT_EQ(body.size(), 2U);
  EXPECT_EQ(body.at("Message").as_string(), "ErrorCode:DeviceNotFound;Device nosuch not found.");
  const std::string exception(body.at("ExceptionMessage").as_string());
  EXPECT_TRUE(exception.starts_with("Tracking ID:")) << exception;
  EXPECT_NE(exception.find("-TimeStamp:" + twin::format_timestamp(test::test_now())), std::string::npos);
  EXPECT_EQ(response.error_code, "DeviceNotFound");
  // Tracking ids are unique.
  EXPECT_NE(body_of(call("GET", "/devices/nosuch")).at("ExceptionMessage"), body.at("ExceptionMessage"));
}

TEST_F(ServiceRouting, ErrorMessagesStayUtf8WhateverTheRequestHeld) {
  // The message echoes the path; a byte that is not UTF-8 there must not make the body invalid
  // JSON (found by fuzz_service_api). Each stray byte becomes U+FFFD; valid text is unchanged.
  const service::Response response = call("PATCH", "/\xF4wins/d\xC3\xA9v");
  EXPECT_EQ(response.status, 404);
  const auto body = body_of(response);  // a strict parse: fails on invalid UTF-8
  const std::string message(body.at("Message").as_string());
  EXPECT_NE(message.find("/\xEF\xBF\xBDwins/d\xC3\xA9v"), std::string::npos) << message;
}

TEST(ServiceErrors, NamesOfTheCodes) {
  EXPECT_EQ(service::error_name(400004), "ArgumentInvalid");
  EXPECT_EQ(service::error_name(400006), "IotHubFormatError");
  EXPECT_EQ(service::error_name(401002), "IotHubUnauthorizedAccess");
  EXPECT_EQ(service::error_name(404010), "ModuleNotFound");
  EXPECT_EQ(service::error_name(409301), "ModuleAlreadyExistsOnDevice");
  EXPECT_EQ(service::error_name(412001), "PreconditionFailed");
  EXPECT_EQ(service::error_name(413003), "TooManyModulesOnDevice");
  EXPECT_EQ(service::error_name(500999), "ServerError");  // unknown: its status's name
}

TEST(ServiceRestAdapter, RequestsAndResponsesCrossTheHook) {
  RestRequest rest;
  rest.method = "PUT";
  rest.target = "/twins/d1?api-version=2020-09-30";
  rest.if_match = "\"*\"";
  rest.body = "{}";
  const service::Request request = service::from_rest(rest);
  EXPECT_EQ(request.path, "/twins/d1");
  EXPECT_EQ(request.query, "api-version=2020-09-30");
  EXPECT_EQ(request.if_match, "\"*\"");
  service::Response response;
  response.status = 412;
  response.etag = "\"e\"";
  response.error_code = "PreconditionFailed";
  const RestResponse out = service::to_rest(response);
  EXPECT_EQ(out.status, 412U);
  ASSERT_EQ(out.headers.size(), 2U);
  EXPECT_EQ(out.headers[0], (std::pair<std::string, std::string>{"ETag", "\"e\""}));
  EXPECT_EQ(out.headers[1], (std::pair<std::string, std::string>{"iothub-errorcode", "PreconditionFailed"}));
}

}  // namespace
}  // namespace fleetsim::hub
