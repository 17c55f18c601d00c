#include "hub/service/route.hpp"

#include <array>
#include <optional>

#include "hub/ids.hpp"
#include "hub/service/errors.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::hub::service {
namespace {

enum class Shape {
  devices,
  device_query,
  statistics,
  device,
  modules,
  module,
  twin,
  module_twin,
  methods,         // twins/{id}/methods
  module_methods,  // twins/{id}/modules/{mid}/methods
  c2d,             // devices/{id}/messages/devicebound
  module_c2d,      // devices/{id}/modules/{mid}/messages/devicebound: refused, C2D is for devices
};

struct MethodOperation {
  std::string_view method;
  Operation operation;
};

// The methods each path shape has. GET, PUT and DELETE /devices/query name the device "query",
// as on IoT Hub; only POST there is the query.
struct ShapeMethods {
  std::array<MethodOperation, 4> methods;
  std::size_t count;
  std::string_view allow;
};

ShapeMethods methods_of(Shape shape) {
  using enum Operation;
  switch (shape) {
    case Shape::devices:
      return {{{{"GET", list_devices}, {"POST", bulk_devices}}}, 2, "GET, POST"};
    case Shape::device_query:
      return {{{{"POST", query}, {"GET", get_device}, {"PUT", put_device}, {"DELETE", delete_device}}},
              4,
              "GET, POST, PUT, DELETE"};
    case Shape::statistics:
      return {{{{"GET", statistics}}}, 1, "GET"};
    case Shape::device:
      return {{{{"GET", get_device}, {"PUT", put_device}, {"DELETE", delete_device}}}, 3, "GET, PUT, DELETE"};
    case Shape::modules:
      return {{{{"GET", list_modules}}}, 1, "GET"};
    case Shape::module:
      return {{{{"GET", get_module}, {"PUT", put_module}, {"DELETE", delete_module}}}, 3, "GET, PUT, DELETE"};
    case Shape::twin:
    case Shape::module_twin:
      return {{{{"GET", get_twin}, {"PATCH", patch_twin}, {"PUT", replace_twin}}}, 3, "GET, PATCH, PUT"};
    case Shape::methods:
    case Shape::module_methods:
      return {{{{"POST", invoke_method}}}, 1, "POST"};
    case Shape::c2d:
    case Shape::module_c2d:
      return {{{{"POST", send_c2d}}}, 1, "POST"};
  }
  return {{}, 0, ""};
}

// Splits "/a/b/c" into its segments; nullopt if there are more than max_segments, if one is
// empty, or if the path does not start with '/'.
constexpr std::size_t max_segments = 6;
struct Segments {
  std::array<std::string_view, max_segments> items;
  std::size_t count = 0;
};

std::optional<Segments> split(std::string_view path) {
  if (!path.starts_with('/')) return std::nullopt;
  path.remove_prefix(1);
  Segments segments;
  while (true) {
    if (segments.count == max_segments) return std::nullopt;
    const std::size_t slash = path.find('/');
    const std::string_view item = path.substr(0, slash);
    if (item.empty()) return std::nullopt;
    segments.items[segments.count++] = item;
    if (slash == std::string_view::npos) return segments;
    path.remove_prefix(slash + 1);
  }
}

std::optional<Shape> shape_of(const Segments& s) {
  const auto at = [&s](std::size_t i) { return s.items[i]; };
  if (at(0) == "devices") {
    if (s.count == 1) return Shape::devices;
    if (s.count == 2) return at(1) == "query" ? Shape::device_query : Shape::device;
    if (s.count == 4 && at(2) == "messages" && at(3) == "devicebound") return Shape::c2d;
    if (at(2) != "modules") return std::nullopt;
    if (s.count == 3) return Shape::modules;
    if (s.count == 4) return Shape::module;
    if (s.count == 6 && at(4) == "messages" && at(5) == "devicebound") return Shape::module_c2d;
    return std::nullopt;
  }
  if (at(0) == "twins") {
    if (s.count == 2) return Shape::twin;
    if (s.count == 3 && at(2) == "methods") return Shape::methods;
    if (s.count == 4 && at(2) == "modules") return Shape::module_twin;
    if (s.count == 5 && at(2) == "modules" && at(4) == "methods") return Shape::module_methods;
    return std::nullopt;
  }
  if (at(0) == "statistics" && s.count == 2 && at(1) == "devices") return Shape::statistics;
  return std::nullopt;
}

RouteMatch refused(int error_code, std::string message) {
  RouteMatch match;
  match.result = twin::Result(make_error(error_code, std::move(message)));
  return match;
}

}  // namespace

RouteMatch match_route(std::string_view method, std::string_view path) {
  const auto segments = split(path);
  const auto shape = segments ? shape_of(*segments) : std::nullopt;
  if (!shape) {
    std::string message = "No route for ";
    message += method;
    message += ' ';
    message += path;
    message += '.';
    return refused(code::route_not_found, std::move(message));
  }
  const ShapeMethods methods = methods_of(*shape);
  RouteMatch match;
  std::size_t i = 0;
  while (i < methods.count && methods.methods[i].method != method) ++i;
  if (i == methods.count) {
    RouteMatch refusal = refused(code::method_not_allowed,
                                 std::string(method) + " is not allowed on " + std::string(path) + ".");
    refusal.allow = methods.allow;
    return refusal;
  }
  match.route.operation = methods.methods[i].operation;

  if (*shape == Shape::devices || *shape == Shape::statistics ||
      (*shape == Shape::device_query && match.route.operation == Operation::query)) {
    return match;
  }
  const auto device = iothub::url_decode(segments->items[1]);
  if (!device || !is_valid_device_id(*device)) {
    return refused(code::argument_invalid, "The device id '" + std::string(segments->items[1]) +
                                               "' is not valid: 1 to 128 characters of A-Z a-z 0-9 "
                                               "- . % _ * ? ! ( ) , : = @ $ '.");
  }
  match.route.device_id = *device;
  if (*shape == Shape::module_c2d) {
    return refused(code::argument_invalid,
                   "Cloud-to-device messages go to devices only, not to modules (reference 2.7).");
  }
  if (*shape == Shape::module || *shape == Shape::module_twin || *shape == Shape::module_methods) {
    const auto module = iothub::url_decode(segments->items[3]);
    if (!module || !is_valid_module_id(*module)) {
      return refused(code::argument_invalid,
                     "The module id '" + std::string(segments->items[3]) +
                         "' is not valid: as a device id, and not starting with '$'.");
    }
    match.route.module_id = *module;
  }
  return match;
}

Permission permission_of(Operation operation) noexcept {
  switch (operation) {
    case Operation::list_devices:
    case Operation::statistics:
    case Operation::get_device:
    case Operation::list_modules:
    case Operation::get_module:
      return Permission::registry_read;
    case Operation::bulk_devices:
    case Operation::put_device:
    case Operation::delete_device:
    case Operation::put_module:
    case Operation::delete_module:
      return Permission::registry_write;
    case Operation::query:
    case Operation::get_twin:
    case Operation::patch_twin:
    case Operation::replace_twin:
    case Operation::invoke_method:
    case Operation::send_c2d:
      return Permission::service_connect;
  }
  return Permission::service_connect;
}

std::string required_scope(std::string_view host, const Route& route) {
  std::string scope(host);
  if (route.operation == Operation::statistics) return scope;
  scope += "/devices";
  if (route.device_id.empty()) return scope;
  scope += '/';
  scope += route.device_id;
  if (!route.module_id.empty()) {
    scope += "/modules/";
    scope += route.module_id;
  }
  return scope;
}

}  // namespace fleetsim::hub::service
