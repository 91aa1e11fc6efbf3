package io.gateway.plugins.governance;

import java.math.BigDecimal;

/**
 * A spending cap per calendar period.
 *
 * @param usd       the cap in US dollars, as configured
 * @param microUsd  the cap in millionths of a dollar, the unit the store counts in
 * @param period    the period it covers
 */
record Budget(BigDecimal usd, long microUsd, BudgetPeriod period) {
}
