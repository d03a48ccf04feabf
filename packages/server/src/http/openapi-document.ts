import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';

/** The mark an operation carries, between the two steps below, when its route's body may be left out. */
const OPTIONAL_BODY = 'x-chatsdk-optional-body';

/** The swagger `transform`: marks the operation of a route whose body is optional (`config.optionalBody`). */
export const markOptionalBody: SwaggerTransform = ({ schema, url, route }) =>
  route.config?.optionalBody ? { schema: { ...schema, [OPTIONAL_BODY]: true }, url } : { schema, url };

interface Operation {
  [OPTIONAL_BODY]?: boolean;
  requestBody?: { required?: boolean };
}

/**
 * The swagger `transformObject`: the generator calls every request body
 * required; a marked one is not (`{}` or no body at all), and the mark goes.
 */
export const applyOptionalBodies: SwaggerTransformObject = (documentObject) => {
  if (!('openapiObject' in documentObject)) return documentObject.swaggerObject;
  const doc = documentObject.openapiObject;
  for (const item of Object.values(doc.paths ?? {})) {
    for (const operation of Object.values(item ?? {}) as Operation[]) {
      if (typeof operation !== 'object' || operation === null || !(OPTIONAL_BODY in operation)) continue;
      delete operation[OPTIONAL_BODY];
      if (operation.requestBody) operation.requestBody.required = false;
    }
  }
  return doc;
};
