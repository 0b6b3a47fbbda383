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
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|entry| entry.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .or(Some(socket))
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
    fn a_trusted_proxy_names_the_client_and_spoofed_entries_are_skipped() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let got = client_ip(Some(proxy), &headers("1.1.1.1, 203.0.113.9"), &[proxy]);
        assert_eq!(got, Some("203.0.113.9".parse().unwrap()));
    }
}
