import Fastify from 'fastify';

/**
 * The baseline of `bench:set`: a bare Fastify route that accepts the same requests and answers 202 without
 * doing anything, in its own process like the service.
 */
const app = Fastify();
app.addContentTypeParser('application/secevent+jwt', { parseAs: 'string' }, (_request, body, done) => done(null, body));
app.post('/events/scim/v1/:sorId', async (_request, reply) => reply.code(202).send());
const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.stdout.write(`${address}\n`);
