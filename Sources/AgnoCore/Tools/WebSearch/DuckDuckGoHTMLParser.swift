import Foundation

/// Results out of DuckDuckGo's HTML endpoint (`html.duckduckgo.com/html/?q=`): each hit is an
/// `<a class="result__a" href="…">title</a>` followed by an `<a class="result__snippet" …>snippet</a>`.
/// Links come wrapped as `//duckduckgo.com/l/?uddg=<encoded url>&…`; the real URL is unwrapped. Ads
/// (`result--ad`) are skipped.
enum DuckDuckGoHTMLParser {
    static func results(_ html: String, limit: Int) -> [SearchResult] {
        var results: [SearchResult] = []
        // Each result block starts at a `result__a` link; cut the page there.
        let blocks = html.components(separatedBy: "class=\"result__a\"").dropFirst()
        for block in blocks {
            guard results.count < limit else { break }
            guard let hrefStart = block.range(of: "href=\""), let hrefEnd = block[hrefStart.upperBound...].firstIndex(of: "\""),
                let titleStart = block[hrefEnd...].firstIndex(of: ">"), let titleEnd = block[titleStart...].range(of: "</a>")
            else { continue }
            let href = HTMLText.plain(block[hrefStart.upperBound..<hrefEnd])
            guard let url = unwrap(href), !url.contains("duckduckgo.com/y.js") else { continue }  // y.js: an ad
            let title = HTMLText.plain(block[block.index(after: titleStart)..<titleEnd.lowerBound])
            var snippet = ""
            if let snippetClass = block.range(of: "class=\"result__snippet\""),
                let open = block[snippetClass.upperBound...].firstIndex(of: ">"),
                let close = block[open...].range(of: "</a>") ?? block[open...].range(of: "</td>") ?? block[open...].range(of: "</div>")
            {
                snippet = HTMLText.plain(block[block.index(after: open)..<close.lowerBound])
            }
            results.append(SearchResult(title: title, url: url, snippet: snippet))
        }
        return results
    }

    /// `//duckduckgo.com/l/?uddg=https%3A%2F%2Fexample.com&rut=…` → `https://example.com`.
    static func unwrap(_ href: String) -> String? {
        let absolute = href.hasPrefix("//") ? "https:" + href : href
        guard let components = URLComponents(string: absolute) else { return nil }
        if components.path == "/l/", let target = components.queryItems?.first(where: { $0.name == "uddg" })?.value {
            return target
        }
        return absolute.hasPrefix("http") ? absolute : nil
    }
}
