/**
 * The coordinator's account administration: login, sign-up, devices and enrolment codes, users,
 * tokens and the Mosquitto files. {@link org.daig.accounts.AccountAdmin} extends the shared
 * {@link org.daig.api.account.Accounts}; its servlets and Gogo commands live in this bundle.
 */
package org.daig.accounts;
