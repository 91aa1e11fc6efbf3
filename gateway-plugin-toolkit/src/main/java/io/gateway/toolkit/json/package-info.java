/**
 * JSON-P helpers for plugins: {@link io.gateway.toolkit.json.Json} builds values over the server's
 * shared provider and reads fields of upstream answers leniently (a field of the wrong type reads as
 * absent); {@link io.gateway.toolkit.json.RequestFields} reads fields of client requests strictly (a
 * field of the wrong type answers 400 naming it).
 */
package io.gateway.toolkit.json;
