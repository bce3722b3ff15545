/**
 * More than one coordinator process on shared state: which one acts for the grid now.
 */
package org.daig.api.cluster;
