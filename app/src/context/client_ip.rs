//! The client's address: the socket's, unless the socket is a configured trusted proxy, in
//! which case the proxy's `X-Forwarded-For` names it. Entries are read from the right, skipping
//! trusted proxies, so a client cannot choose its own address by sending the header itself.

use http::HeaderMap;
use std::net::IpAddr;

pub fn client_ip(
    socket: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let socket = socket?;
    if !trusted.contains(&socket) {
        return Some(socket);
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    // From the right: skip our own proxies; the first other entry is the client. An entry that
    // does not parse ends the search, so nothing to its left (the client's own words) is used.
    for entry in entries.into_iter().rev() {
        let parsed = entry
            .parse::<IpAddr>()
            .ok()
            .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()));
        match parsed {
            Some(ip) if trusted.contains(&ip) => continue,
            Some(ip) => return Some(ip),
            None => return Some(socket),
        }
    }
    Some(socket)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert("x-forwarded-for", xff.parse().unwrap());
        map
    }

    #[test]
    fn the_header_is_ignored_unless_the_socket_is_a_trusted_proxy() {
        let socket: IpAddr = "198.51.100.7".parse().unwrap();
        let got = client_ip(Some(socket), &headers("203.0.113.9"), &[]);
        assert_eq!(got, Some(socket));
    }

    #[test]
    fn an_unparsable_entry_stops_the_search_and_ports_are_understood() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let spoofed = client_ip(Some(proxy), &headers("198.51.100.1, garbage"), &[proxy]);
        assert_eq!(spoofed, Some(proxy));
        let with_port = client_ip(
            Some(proxy),
            &headers("198.51.100.1, 203.0.113.5:4123"),
            &[proxy],
        );
        assert_eq!(with_port, Some("203.0.113.5".parse().unwrap()));
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_spoofed_entries_are_skipped() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let got = client_ip(Some(proxy), &headers("1.1.1.1, 203.0.113.9"), &[proxy]);
        assert_eq!(got, Some("203.0.113.9".parse().unwrap()));
    }
}
