package haze.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The default of a {@code run} parameter, as JSON text ({@code @Default("1000")},
 * {@code @Default("\"text\"")}, {@code @Default("[1, 2]")}): used when the job's arguments leave
 * it out or give null. It is read when the function is deployed; a default of the wrong type
 * refuses the deploy.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Default {
    String value();
}
