"""Makini unified API: REST client, dlt source, connection status, webhook signatures, payloads
and the durable inbox. Import the modules themselves (`pipelines.makini.source`, ...): this
package stays empty so that light users (settings, the webhook receiver) do not load dlt."""
