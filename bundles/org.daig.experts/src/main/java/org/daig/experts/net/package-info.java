/**
 * Expert calls between processes (issue 18): the TCP wire format ({@link org.daig.experts.net.ExpertWire}), the
 * server that hosts experts ({@link org.daig.experts.net.ExpertServer}) and the caller's side
 * ({@link org.daig.experts.net.ExpertClient}).
 */
package org.daig.experts.net;
