// The Crawlee peer of the site crawl (scenario 8): a CheerioCrawler from one seed that enqueues
// every link of the seed's host name, each page once (Crawlee's request queue deduplicates by the
// normalized URL), and prints one JSON line per page: {"url": ..., "status": ...}.
//
//   node crawlee_site.mjs SEED_URL [CONCURRENCY] [--fixed]
//
// Crawlee 3 as its guide writes it: enqueueLinks({ strategy: 'same-hostname' }), maxConcurrency
// CONCURRENCY (100), log level WARNING. Its autoscaled pool still decides how many requests run:
// it starts at minConcurrency (1) and grows by 5 % every 10 s while the machine looks idle, so a
// crawl of a minute or two never gets near 100. --fixed also sets minConcurrency to CONCURRENCY,
// which is what "100 at a time" means for the other tools. The request queue is
// kept in memory (persistStorage off); CRAWLEE_STORAGE_DIR points at a temporary folder anyway.
// bench/run installs the npm package into build/crawlee and the suite copies this file there, so
// that `import 'crawlee'` finds it; it is not a dependency of the build.
import { CheerioCrawler, Configuration, log } from 'crawlee';

const args = process.argv.slice(2);
const fixed = args.includes('--fixed');
const [seed, concurrency = '100'] = args.filter((a) => a !== '--fixed');
if (!seed) {
    console.error('usage: node crawlee_site.mjs SEED_URL [CONCURRENCY] [--fixed]');
    process.exit(2);
}
log.setLevel(log.LEVELS.WARNING);

let failed = 0;
const crawler = new CheerioCrawler({
    maxConcurrency: Number(concurrency),
    ...(fixed ? { minConcurrency: Number(concurrency) } : {}),
    async requestHandler({ request, response, enqueueLinks }) {
        process.stdout.write(`${JSON.stringify({ url: request.loadedUrl ?? request.url,
                                                  status: response.statusCode })}\n`);
        await enqueueLinks({ strategy: 'same-hostname' });
    },
    failedRequestHandler({ request }) {
        failed += 1;
        console.error(`failed: ${request.url}: ${request.errorMessages.at(-1)}`);
    },
}, new Configuration({ persistStorage: false }));

await crawler.run([seed]);
process.exitCode = failed ? 1 : 0;
